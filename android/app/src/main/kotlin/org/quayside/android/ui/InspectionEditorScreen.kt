package org.quayside.android.ui

import android.Manifest
import android.content.pm.PackageManager
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.graphics.Matrix
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.Image
import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.FilterChip
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.lifecycle.compose.LifecycleEventEffect
import androidx.lifecycle.Lifecycle
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Dialog
import androidx.compose.ui.window.DialogProperties
import androidx.core.content.ContextCompat
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.quayside.core.FindingRecord
import org.quayside.core.InspectionStatus
import org.quayside.core.InspectionView
import org.quayside.core.ModusOperandi
import org.quayside.core.SeizureAction
import org.quayside.shell.ConflictNotice
import org.quayside.shell.CustodyForm
import org.quayside.shell.Figures
import org.quayside.shell.FindingText
import org.quayside.shell.Form
import org.quayside.shell.Ids
import org.quayside.shell.InspectionForm
import org.quayside.shell.InspectionRepository
import org.quayside.shell.Recovery
import org.quayside.shell.RemovedNotice
import org.quayside.core.ReviewState
import org.quayside.shell.ReviewText
import org.quayside.shell.SeizureForm
import org.quayside.shell.formValue
import org.quayside.shell.label

/**
 * The inspection editor: container and declaration, computed figures with flags, conflicts to
 * settle (Restore / Confirm removal for an element a colleague removed while another edited it,
 * Keep for notes rewritten on two devices), findings, evidence photos from the camera, seizure,
 * chain of custody, submission (again, after a return or a change), review state (the
 * supervisor's decisions and comments) and history.
 */
@Composable
fun InspectionEditorScreen(vm: EditorViewModel, onBack: () -> Unit) {
    val state by vm.state.collectAsStateWithLifecycle()
    val view = state.view
    val findingForm by vm.finding.collectAsStateWithLifecycle()
    // Leaving the screen (another app, the lock screen): what is typed is saved now.
    LifecycleEventEffect(Lifecycle.Event.ON_STOP) { vm.flushDrafts() }
    var confirmSubmit by remember { mutableStateOf(false) }
    // A removal waiting for the officer's confirmation: the dialog's title (what is removed, in words), and the removal.
    var confirmRemove by remember { mutableStateOf<Pair<String, () -> Unit>?>(null) }
    val askRemove: (String, () -> Unit) -> Unit = { title, action -> confirmRemove = title to action }
    Scaffold(topBar = { BackTopBar(view?.inspection?.container?.number ?: str("title_new_inspection"), onBack) }) { padding ->
        Column(
            Modifier.fillMaxSize().padding(padding).padding(horizontal = 16.dp).verticalScroll(rememberScrollState()),
            verticalArrangement = Arrangement.spacedBy(8.dp),
        ) {
            if (state.busy) LinearProgressIndicator(Modifier.fillMaxWidth())
            state.message?.let { msg ->
                MessageCard(msg, onDismiss = vm::dismissMessage, action = if (msg.recovery == Recovery.CONFIRM_CHECK_DIGIT) {
                    { TextButton(onClick = vm::confirmCheckDigit) { Text(str("action_record_anyway")) } }
                } else {
                    null
                })
            }
            // Review: awaiting, changed since submission, returned with the supervisor's comment, approved, or changed since approval.
            if (state.restoredDraft) RestoredDraftNotice(onDiscard = vm::discardDraft, onDismiss = vm::dismissRestored)
            state.reviewNotice?.let { ReviewNoticeCard(it) }
            HeaderForm(state.form, vm::edit)
            Button(onClick = vm::save, enabled = !state.busy, modifier = Modifier.fillMaxWidth()) {
                Text(str("action_save"))
            }
            if (view != null) {
                FiguresCard(view, showConflicts = false)
                if (state.conflicts.isNotEmpty()) ConflictSection(vm, state.conflicts, state.busy)
                if (state.removed.isNotEmpty()) RemovedSection(vm, state.removed, state.busy)
                SectionTitle(str("title_findings"))
                for (f in view.inspection.findings) FindingCard(f, view, onEdit = { vm.openFinding(f.id) }, onRemove = { vm.removeFinding(f.id) })
                OutlinedButton(onClick = { vm.openFinding(null) }, modifier = Modifier.fillMaxWidth()) { Text(str("action_add_finding")) }
                PhotoSection(vm, view, askRemove)
                SeizureSection(vm, view)
                CustodySection(vm, view, askRemove)
                SectionTitle(str("title_submission"))
                if (view.inspection.status == InspectionStatus.SUBMITTED) {
                    val submitted = when (view.submissionVerified) {
                        true -> "editor_submitted_verified"
                        false -> "editor_submitted_not_verified"
                        null -> "editor_submitted"
                    }
                    Text(
                        str(submitted, view.inspection.submittedAt?.let(ReviewText::time) ?: ""),
                        style = MaterialTheme.typography.bodyMedium,
                    )
                }
                for (r in view.reviews) DecisionLineText(ReviewText.decision(r))
                Button(onClick = { confirmSubmit = true }, enabled = state.canSubmit && !state.busy, modifier = Modifier.fillMaxWidth()) {
                    Text(str(if (state.isResubmission) "action_submit_again" else "action_submit"))
                }
                HistorySection(vm, state.history)
            }
        }
    }
    findingForm?.let { (findingId, opened) ->
        FindingDialog(
            isNew = findingId == null,
            form = opened.form,
            restored = opened.restored,
            numbers = vm.numbers,
            message = state.message,
            onChange = vm::editFinding,
            onDismiss = vm::closeFinding,
            onSave = vm::saveFinding,
        )
    }
    if (confirmSubmit) {
        AlertDialog(
            onDismissRequest = { confirmSubmit = false },
            title = { Text(str(if (state.isResubmission) "submit_title_again" else "submit_title")) },
            text = {
                Text(
                    str(
                        when {
                            state.review == ReviewState.RETURNED -> "submit_text_returned"
                            state.isResubmission -> "submit_text_again"
                            else -> "submit_text"
                        },
                    ),
                )
            },
            confirmButton = { TextButton(onClick = { confirmSubmit = false; vm.submit() }) { Text(str("action_submit_confirm")) } },
            dismissButton = { TextButton(onClick = { confirmSubmit = false }) { Text(str("action_cancel")) } },
        )
    }
    confirmRemove?.let { (title, action) ->
        AlertDialog(
            onDismissRequest = { confirmRemove = null },
            title = { Text(title) },
            text = { Text(str("remove_text")) },
            confirmButton = { TextButton(onClick = { confirmRemove = null; action() }) { Text(str("action_remove")) } },
            dismissButton = { TextButton(onClick = { confirmRemove = null }) { Text(str("action_cancel")) } },
        )
    }
}

/** The container, declaration and selection fields. */
@Composable
private fun HeaderForm(form: InspectionForm, onChange: (InspectionForm) -> Unit) {
    SectionTitle(str("title_container"))
    FormField(str("field_container_number"), form, "container", caps = true, onChange = onChange)
    FormField(str("field_seals"), form, "seals", caps = true, onChange = onChange)
    FormField(str("field_size_type"), form, "size_type", caps = true, onChange = onChange)
    SectionTitle(str("title_declaration"))
    FormField(str("field_declaration_number"), form, "declaration", onChange = onChange)
    FormField(str("field_bill_of_lading"), form, "bill_of_lading", onChange = onChange)
    FormField(str("field_declared_hs"), form, "hs_code", number = true, onChange = onChange)
    FormField(str("field_description"), form, "description", onChange = onChange)
    FormField(str("field_declared_quantity"), form, "quantity_kg", number = true, onChange = onChange)
    FormField(str("field_consignor"), form, "consignor", onChange = onChange)
    FormField(str("field_consignee"), form, "consignee", onChange = onChange)
    FormField(str("field_origin"), form, "origin", caps = true, onChange = onChange)
    FormField(str("field_destination"), form, "destination", caps = true, onChange = onChange)
    FormField(str("field_transit"), form, "transit", caps = true, onChange = onChange)
    FormField(str("field_selection_reason"), form, "selection_reason", onChange = onChange)
    FormField(str("field_notes"), form, "notes", singleLine = false, onChange = onChange)
}

/** One labelled text field showing field [key] of [form] (the core's name); each keystroke gives the form with it changed. */
@Composable
internal fun <F : Form<F>> FormField(
    label: String, form: F, key: String, caps: Boolean = false, number: Boolean = false, singleLine: Boolean = true, onChange: (F) -> Unit,
) = Field(label, form[key], caps = caps, number = number, singleLine = singleLine) { onChange(form.with(key to it)) }

/** One labelled text field. */
@Composable
internal fun Field(label: String, value: String, caps: Boolean = false, number: Boolean = false, singleLine: Boolean = true, onChange: (String) -> Unit) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(label) },
        singleLine = singleLine,
        keyboardOptions = KeyboardOptions(
            capitalization = if (caps) KeyboardCapitalization.Characters else KeyboardCapitalization.Sentences,
            keyboardType = if (number) KeyboardType.Decimal else KeyboardType.Text,
        ),
        modifier = Modifier.fillMaxWidth(),
    )
}

/**
 * Totals, seized quantities, flags and (unless [showConflicts] is off, where a screen lists them
 * with actions) conflicts, computed by the core on every read. Quantities go through
 * [Figures.quantity]: kilograms whose ODP or GWP is unknown read "unknown" or "at least", never 0.
 * Each flag is led by the finding it concerns.
 */
@Composable
internal fun FiguresCard(view: InspectionView, showConflicts: Boolean = true) {
    val a = view.assessment
    Card(Modifier.fillMaxWidth().padding(top = 8.dp)) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(str("figures_found", str(Figures.quantity(a.total))), style = MaterialTheme.typography.bodyMedium)
            if (a.seized.kg > 0) Text(str("figures_seized", str(Figures.quantity(a.seized))), style = MaterialTheme.typography.bodyMedium)
            for (flag in a.flags) Text("\u26a0 " + str(FindingText.flag(flag, view.inspection.findings)), color = MaterialTheme.colorScheme.error)
            if (showConflicts) {
                for (c in view.conflicts) Text(str(ConflictNotice(c).summary), color = MaterialTheme.colorScheme.error)
            }
        }
    }
}

/**
 * What two devices left to settle. An element a colleague removed while another edited it stays
 * removed until someone decides: Restore brings it back with every edit, Confirm removal keeps it
 * removed. Notes rewritten on two devices keep both versions whole: Keep picks one.
 */
@Composable
private fun ConflictSection(vm: EditorViewModel, conflicts: List<ConflictNotice>, busy: Boolean) {
    SectionTitle(str("title_conflicts"))
    for (n in conflicts) {
        Card(Modifier.fillMaxWidth(), colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer)) {
            Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                Text(str(n.title), style = MaterialTheme.typography.titleSmall, color = MaterialTheme.colorScheme.onErrorContainer)
                for (line in n.lines) Text(str(line), style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onErrorContainer)
                Text(str(n.hint), style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onErrorContainer)
                if (n.removedWhileEdited) {
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        Button(onClick = { vm.restore(n.conflict) }, enabled = !busy) { Text(str("action_restore")) }
                        OutlinedButton(onClick = { vm.confirmRemoval(n.conflict) }, enabled = !busy) { Text(str("action_confirm_removal")) }
                    }
                }
                for (version in n.notesVersions) {
                    TextButton(onClick = { vm.keepNotes(version) }, enabled = !busy) {
                        Text(str("conflict_keep", version.take(40) + if (version.length > 40) "\u2026" else ""), maxLines = 1)
                    }
                }
            }
        }
    }
}

/**
 * Elements removed from the inspection (a finding, photo, seized quantity or hand-over), here or
 * on a colleague's phone, each with Restore: a removal made by mistake is undone in one step,
 * with everything the element said. Removals that crossed an edit are in the conflicts above.
 */
@Composable
private fun RemovedSection(vm: EditorViewModel, removed: List<RemovedNotice>, busy: Boolean) {
    SectionTitle(str("title_removed"))
    for (n in removed) {
        Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
            Text(str(n.text), Modifier.weight(1f), style = MaterialTheme.typography.bodySmall)
            TextButton(onClick = { vm.restoreRemoved(n.record) }, enabled = !busy) { Text(str("action_restore")) }
        }
    }
}

/** A finding with its figures: what was found (or measured, or not identified) and what the figures rest on. */
@Composable
private fun FindingCard(f: FindingRecord, view: InspectionView, onEdit: () -> Unit, onRemove: () -> Unit) {
    val figures = view.assessment.findings.firstOrNull { it.findingId == f.id }
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(12.dp)) {
            Text(str(f.title), style = MaterialTheme.typography.titleSmall)
            Text(findingFacts(f))
            figures?.quantity?.let { Text(str(Figures.quantity(it)), style = MaterialTheme.typography.bodySmall) }
            figures?.let { Text(str(it.basis.label()), style = MaterialTheme.typography.bodySmall) }
            figures?.let(FindingText::parts)?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            figures?.gwpSource?.let { Text(str("figures_gwp_source", it), style = MaterialTheme.typography.bodySmall) }
            Row {
                TextButton(onClick = onEdit) { Text(str("action_edit")) }
                TextButton(onClick = onRemove) { Text(str("action_remove")) }
            }
        }
    }
}

/**
 * Evidence photos: thumbnails, the caption and finding for the next photo, and the in-app camera
 * ([CameraCapture], full screen). The camera permission is asked when the officer first takes a
 * photo; refused, the section says how to allow it. The photo goes from memory straight to the
 * core, which keeps it sealed before attaching it: it is never written in the clear.
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun PhotoSection(vm: EditorViewModel, view: InspectionView, askRemove: (String, () -> Unit) -> Unit) {
    val context = LocalContext.current
    var caption by rememberSaveable { mutableStateOf("") }
    var findingId by rememberSaveable { mutableStateOf<String?>(null) }
    var camera by rememberSaveable { mutableStateOf(false) }
    var cameraRefused by rememberSaveable { mutableStateOf(false) }
    // The photo taken is being kept and attached: the camera screen shows it until that is over.
    var saving by remember { mutableStateOf(false) }
    val askCamera = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        cameraRefused = !granted
        camera = granted
    }
    SectionTitle(str("title_photos_count", view.inspection.photos.size))
    val removePhotoTitle = str("remove_title_photo")
    Row(Modifier.horizontalScroll(rememberScrollState()), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        for (p in view.inspection.photos) {
            PhotoThumb(vm.repository, p.sha256, p.caption, onRemove = { askRemove(removePhotoTitle) { vm.removePhoto(p.sha256) } })
        }
    }
    Field(str("field_caption"), caption) { caption = it }
    if (view.inspection.findings.isNotEmpty()) {
        FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
            for (f in view.inspection.findings) {
                FilterChip(
                    selected = findingId == f.id,
                    onClick = { findingId = if (findingId == f.id) null else f.id },
                    label = { Text(str(f.name)) },
                )
            }
        }
    }
    OutlinedButton(
        onClick = {
            if (ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED) {
                cameraRefused = false
                camera = true
            } else {
                askCamera.launch(Manifest.permission.CAMERA)
            }
        },
        modifier = Modifier.fillMaxWidth(),
    ) { Text(str("action_take_photo")) }
    if (cameraRefused) Text(str("notice_camera_refused"), color = MaterialTheme.colorScheme.error)
    if (camera) {
        Dialog(onDismissRequest = { if (!saving) camera = false }, properties = DialogProperties(usePlatformDefaultWidth = false)) {
            CameraCapture(
                busy = saving,
                onCaptured = { bytes ->
                    saving = true
                    vm.addPhoto(bytes, caption, findingId) { added ->
                        saving = false
                        camera = false
                        // A failure is shown in the editor; the photo stays kept and is attached at the next start.
                        if (added) caption = ""
                    }
                },
                onCancel = { camera = false },
            )
        }
    }
}

/** A photo thumbnail, decoded down-sampled off the main thread from the verified bytes in the store, with Remove. */
@Composable
private fun PhotoThumb(repo: InspectionRepository, sha256: String, caption: String?, onRemove: () -> Unit) {
    val bitmap by produceState<ImageBitmap?>(null, sha256) {
        value = runCatching {
            val bytes = repo.readPhoto(sha256)
            withContext(Dispatchers.Default) { decodeThumbnail(bytes, 320) }
        }.getOrNull()
    }
    Column(Modifier.size(width = 120.dp, height = 156.dp)) {
        bitmap?.let { Image(it, contentDescription = caption ?: str("photo_evidence"), contentScale = ContentScale.Crop, modifier = Modifier.size(96.dp)) }
        Text(caption ?: sha256.take(8), style = MaterialTheme.typography.labelSmall, maxLines = 1)
        TextButton(onClick = onRemove) { Text(str("action_remove"), style = MaterialTheme.typography.labelSmall) }
    }
}

/**
 * Decodes [bytes] sampled down so its longer side is about [maxSide] pixels, turned by
 * [rotationDegrees] (clockwise) for showing only: the stored bytes are never turned.
 */
internal fun decodeThumbnail(bytes: ByteArray, maxSide: Int, rotationDegrees: Int = 0): ImageBitmap? {
    val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
    BitmapFactory.decodeByteArray(bytes, 0, bytes.size, bounds)
    var sample = 1
    while (maxOf(bounds.outWidth, bounds.outHeight) / (sample * 2) >= maxSide) sample *= 2
    val options = BitmapFactory.Options().apply { inSampleSize = sample }
    val bitmap = BitmapFactory.decodeByteArray(bytes, 0, bytes.size, options) ?: return null
    if (rotationDegrees == 0) return bitmap.asImageBitmap()
    val turn = Matrix().apply { postRotate(rotationDegrees.toFloat()) }
    return Bitmap.createBitmap(bitmap, 0, 0, bitmap.width, bitmap.height, turn, true).asImageBitmap()
}

/** The seizure: action, case, legal basis, modus operandi, storage, and the quantity seized per finding. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun SeizureSection(vm: EditorViewModel, view: InspectionView) {
    val findings = view.inspection.findings
    val opened by vm.seizure.collectAsStateWithLifecycle()
    val current = opened ?: return
    val form = current.form
    val set: (SeizureForm) -> Unit = vm::editSeizure
    SectionTitle(str("title_seizure"))
    if (current.restored) Text(str("notice_restored_draft"), style = MaterialTheme.typography.bodySmall)
    FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        for (a in SeizureAction.entries) {
            FilterChip(selected = form.action == a, onClick = { set(form.with("action" to a.formValue)) }, label = { Text(str(a.label)) })
        }
    }
    FormField(str("field_case_ref"), form, "case_ref", caps = true, onChange = set)
    FormField(str("field_legal_basis"), form, "legal_basis", onChange = set)
    FormField(str("field_storage"), form, "storage_location", onChange = set)
    Text(str("title_modus_operandi"), style = MaterialTheme.typography.labelLarge)
    FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        for (m in ModusOperandi.entries) {
            val on = m in form.modusOperandi
            FilterChip(selected = on, onClick = { set(form.withModusOperandi(if (on) form.modusOperandi - m else form.modusOperandi + m)) }, label = { Text(str(m.label)) })
        }
    }
    for (findingId in form.itemIds) {
        val f = findings.firstOrNull { it.id == findingId }
        val source = if (f != null) str(f.name) else str("seizure_item_finding_id", Ids.short(findingId))
        Text(str("seizure_item_from", source), style = MaterialTheme.typography.labelLarge)
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Column(Modifier.weight(1f)) { FormField(str("field_item_kg"), form, "item.$findingId.kg", number = true, onChange = set) }
            Column(Modifier.weight(1f)) { FormField(str("field_item_cylinders"), form, "item.$findingId.cylinders", number = true, onChange = set) }
        }
    }
    OutlinedButton(onClick = vm::saveSeizure, modifier = Modifier.fillMaxWidth()) { Text(str("action_save_seizure")) }
}

/** The chain of custody: hand-overs so far (each removable when recorded by mistake) and a form for the next. */
@Composable
private fun CustodySection(vm: EditorViewModel, view: InspectionView, askRemove: (String, () -> Unit) -> Unit) {
    val opened by vm.custody.collectAsStateWithLifecycle()
    SectionTitle(str("title_custody"))
    for (c in view.inspection.seizure?.custody.orEmpty()) {
        Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
            Text(
                custodyLine(c.at.take(16), c.from, c.to, c.location) + (c.note?.let { " ($it)" } ?: ""),
                Modifier.weight(1f),
            )
            // Entries recorded before entries had ids cannot be named for removal.
            if (c.id.isNotEmpty()) {
                val removeTitle = str("remove_title_handover", c.to)
                TextButton(onClick = { askRemove(removeTitle) { vm.removeCustody(c.id) } }) { Text(str("action_remove")) }
            }
        }
    }
    val form = opened?.form ?: return
    if (opened?.restored == true) Text(str("notice_restored_draft"), style = MaterialTheme.typography.bodySmall)
    FormField(str("field_custody_from"), form, "from", onChange = vm::editCustody)
    FormField(str("field_custody_to"), form, "to", onChange = vm::editCustody)
    FormField(str("field_where"), form, "location", onChange = vm::editCustody)
    FormField(str("field_note"), form, "note", onChange = vm::editCustody)
    OutlinedButton(onClick = vm::addCustody, modifier = Modifier.fillMaxWidth()) {
        Text(str("action_add_handover"))
    }
}

/** Who changed what, from which device, when. */
@Composable
private fun HistorySection(vm: EditorViewModel, history: List<org.quayside.core.HistoryRecord>) {
    SectionTitle(str("title_history"))
    if (history.isEmpty()) {
        TextButton(onClick = vm::loadHistory) { Text(str("action_show_history")) }
    } else {
        for (h in history) Text("${h.at.take(16)} \u00b7 ${h.user ?: h.actor.take(8)}: ${str(h.what)}", style = MaterialTheme.typography.bodySmall)
    }
}
