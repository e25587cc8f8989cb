package org.quayside.android.ui

import androidx.activity.compose.BackHandler
import androidx.compose.foundation.Image
import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.quayside.core.InspectionView
import org.quayside.core.PhotoRecord
import org.quayside.shell.Figures
import org.quayside.shell.FindingText
import org.quayside.shell.Recovery
import org.quayside.shell.RemovedNotice
import org.quayside.shell.ReviewQueueState
import org.quayside.shell.ReviewText
import org.quayside.shell.label

/**
 * Supervisor review. The queue lists the station's inspections waiting for a decision (submitted,
 * or changed since they were submitted or approved), synced when the screen opens and on Refresh.
 * Tapping one opens it in full (figures, flags, findings, elements removed, photos, seizure, earlier decisions) with
 * a comment field and Approve / Return; the decision is signed on the phone for exactly the version
 * on screen, then sent with a sync. If a background sync brought a change after the inspection was
 * opened, the decision is refused, nothing is recorded, and the inspection is shown again with a
 * message saying it changed (the supervisor decides again on what it says now). Only a version the
 * officer signed can be approved: after a change since submission, Return is the only decision
 * until the officer submits again.
 */
@Composable
fun ReviewScreen(vm: ReviewViewModel, onBack: () -> Unit) {
    val state by vm.state.collectAsStateWithLifecycle()
    val open = state.open
    if (open != null) {
        BackHandler(onBack = vm::close)
        ReviewDetail(vm, state, open)
    } else {
        ReviewQueue(vm, state, onBack)
    }
}

/** The queue, with the outcome of the last decision. */
@Composable
private fun ReviewQueue(vm: ReviewViewModel, state: ReviewQueueState, onBack: () -> Unit) {
    Scaffold(
        topBar = {
            BackTopBar(str("title_review"), onBack) {
                IconButton(onClick = vm::syncAndLoad, enabled = !state.busy) { Icon(Icons.Filled.Refresh, contentDescription = str("action_sync_reload")) }
            }
        },
    ) { padding ->
        Column(Modifier.fillMaxSize().padding(padding).padding(horizontal = 16.dp)) {
            if (state.busy || state.loading) LinearProgressIndicator(Modifier.fillMaxWidth())
            state.notice?.let { Text(str(it), Modifier.padding(vertical = 8.dp), color = MaterialTheme.colorScheme.primary) }
            state.message?.let { MessageCard(it, onDismiss = vm::dismissMessage) }
            if (!state.loading && state.rows.isEmpty()) {
                Text(
                    str("review_queue_empty"),
                    Modifier.padding(vertical = 16.dp),
                    style = MaterialTheme.typography.bodyMedium,
                )
            }
            LazyColumn(Modifier.fillMaxSize()) {
                items(state.rows, key = { it.summary.id }) { row ->
                    InspectionRowItem(row, onClick = { vm.open(row.summary.id) })
                    HorizontalDivider()
                }
            }
        }
    }
}

/** One inspection as the supervisor reads it, with the decision controls at the end. */
@Composable
private fun ReviewDetail(vm: ReviewViewModel, state: ReviewQueueState, view: InspectionView) {
    val ins = view.inspection
    var confirmApprove by remember { mutableStateOf(false) }
    val scroll = rememberScrollState()
    // A decision refused because the inspection changed since it was opened: it is shown again as
    // it is now; go back to the top, where the message says so, for the supervisor to read it again.
    LaunchedEffect(state.message) {
        if (state.message?.recovery == Recovery.READ_AGAIN) scroll.animateScrollTo(0)
    }
    Scaffold(topBar = { BackTopBar(ins.container.number, onBack = vm::close) }) { padding ->
        Column(
            Modifier.fillMaxSize().padding(padding).padding(horizontal = 16.dp).verticalScroll(scroll),
            verticalArrangement = Arrangement.spacedBy(8.dp),
        ) {
            if (state.busy) LinearProgressIndicator(Modifier.fillMaxWidth())
            state.message?.let { MessageCard(it, onDismiss = vm::dismissMessage) }
            ReviewText.notice(view)?.let { ReviewNoticeCard(it) }

            SectionTitle(str("title_report"))
            Text(str("review_report_line", ins.officer, ins.station, ReviewText.time(ins.createdAt)))
            ins.submittedAt?.let { at ->
                val submitted = when (view.submissionVerified) {
                    true -> "review_submitted_verified"
                    false -> "review_submitted_not_verified"
                    null -> "review_submitted"
                }
                Text(
                    str(submitted, ReviewText.time(at)),
                    color = if (view.submissionVerified == false) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                )
            }
            ins.selectionReason?.let { Text(str("review_selected_because", it)) }
            val d = ins.declaration
            val declared = listOfNotNull(
                d.description,
                d.hsCode?.let { "HS $it" },
                d.quantityKg?.let { str("review_declared_kg", Figures.fmt(it, 1)) },
                listOfNotNull(d.origin, d.destination).takeIf { it.isNotEmpty() }?.joinToString(" \u2192 "),
            )
            if (declared.isNotEmpty()) Text(str("review_declared", declared.joinToString(" \u00b7 ")))
            if (ins.container.seals.isNotEmpty()) Text(str("review_seals", ins.container.seals.joinToString(", ")))

            FiguresCard(view)

            SectionTitle(str("title_findings_count", ins.findings.size))
            for (f in ins.findings) {
                val figures = view.assessment.findings.firstOrNull { it.findingId == f.id }
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(12.dp)) {
                        Text(str(f.title), style = MaterialTheme.typography.titleSmall)
                        Text(findingFacts(f))
                        figures?.quantity?.let { Text(str(Figures.quantity(it)), style = MaterialTheme.typography.bodySmall) }
                        figures?.let { Text(str(it.basis.label()), style = MaterialTheme.typography.bodySmall) }
                        figures?.let(FindingText::parts)?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
                        f.labels?.let { Text(str("finding_labels", it), style = MaterialTheme.typography.bodySmall) }
                        f.concealment?.let { Text(str("finding_concealment", it), style = MaterialTheme.typography.bodySmall) }
                    }
                }
            }

            // What the officer removed stays visible to the supervisor (restoring is the officer's call).
            val removed = RemovedNotice.list(view)
            if (removed.isNotEmpty()) {
                SectionTitle(str("title_removed"))
                for (n in removed) Text(str(n.text), style = MaterialTheme.typography.bodySmall)
            }

            SectionTitle(str("title_photos_count", ins.photos.size))
            if (ins.photos.isNotEmpty()) {
                Row(Modifier.horizontalScroll(rememberScrollState()), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    for (p in ins.photos) ReviewPhoto(vm, p)
                }
            }

            ins.seizure?.let { s ->
                SectionTitle(str("title_seizure"))
                val seizure = listOfNotNull(s.action?.let { str(it.label) }, s.caseRef, s.legalBasis, s.storageLocation).joinToString(" \u00b7 ")
                Text(seizure.ifEmpty { str("seizure_none") })
                if (s.modusOperandi.isNotEmpty()) Text(str("review_modus_operandi", s.modusOperandi.map { str(it.label) }.joinToString(", ")))
                for (c in s.custody) Text(custodyLine(ReviewText.time(c.at), c.from, c.to, c.location), style = MaterialTheme.typography.bodySmall)
            }
            if (ins.notes.isNotBlank()) {
                SectionTitle(str("field_notes"))
                Text(ins.notes)
            }

            if (view.reviews.isNotEmpty()) {
                SectionTitle(str("title_earlier_decisions"))
                for (r in view.reviews) DecisionLineText(ReviewText.decision(r))
            }

            SectionTitle(str("title_your_decision"))
            OutlinedTextField(
                value = state.comment,
                onValueChange = vm::editComment,
                label = { Text(str("field_comment")) },
                singleLine = false,
                minLines = 3,
                modifier = Modifier.fillMaxWidth(),
            )
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedButton(onClick = vm::returnToOfficer, enabled = state.canReturn, modifier = Modifier.weight(1f)) {
                    Text(str("action_return_to", ins.officer))
                }
                Button(onClick = { confirmApprove = true }, enabled = state.canApprove, modifier = Modifier.weight(1f)) {
                    Text(str("action_approve"))
                }
            }
            if (state.canDecide && !view.submissionCoversShown) {
                Text(
                    str("review_changed_after_submission", ins.officer),
                    style = MaterialTheme.typography.bodySmall,
                    color = MaterialTheme.colorScheme.error,
                )
            }
            if (state.canDecide && state.comment.isBlank()) {
                Text(str("review_return_hint"), style = MaterialTheme.typography.bodySmall)
            }
        }
    }
    if (confirmApprove) {
        AlertDialog(
            onDismissRequest = { confirmApprove = false },
            title = { Text(str("review_approve_title", ins.container.number)) },
            text = {
                Text(str("review_approve_text"))
            },
            confirmButton = { TextButton(onClick = { confirmApprove = false; vm.approve() }) { Text(str("action_approve")) } },
            dismissButton = { TextButton(onClick = { confirmApprove = false }) { Text(str("action_cancel")) } },
        )
    }
}

/**
 * A photo: the thumbnail when this phone holds the image, else its record (sync carries photo
 * records, not image files; the image is on the officer's phone and the server).
 */
@Composable
private fun ReviewPhoto(vm: ReviewViewModel, photo: PhotoRecord) {
    val bitmap by produceState<ImageBitmap?>(null, photo.sha256) {
        value = runCatching {
            vm.photo(photo.sha256)?.let { bytes -> withContext(Dispatchers.Default) { decodeThumbnail(bytes, 320) } }
        }.getOrNull()
    }
    Column(Modifier.size(width = 120.dp, height = 140.dp)) {
        val image = bitmap
        if (image != null) {
            Image(image, contentDescription = photo.caption ?: str("photo_evidence"), contentScale = ContentScale.Crop, modifier = Modifier.size(96.dp))
        } else {
            Card(Modifier.size(96.dp)) {
                Text(str("photo_on_server"), Modifier.padding(8.dp), style = MaterialTheme.typography.labelSmall)
            }
        }
        Text(photo.caption ?: photo.sha256.take(8), style = MaterialTheme.typography.labelSmall, maxLines = 1)
        Text(ReviewText.time(photo.capturedAt), style = MaterialTheme.typography.labelSmall, maxLines = 1)
    }
}
