package org.quayside.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Dialog
import androidx.compose.ui.window.DialogProperties
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import org.quayside.core.ApiException
import org.quayside.core.CylinderType
import org.quayside.core.FindingRecord
import org.quayside.shell.ComponentForm
import org.quayside.shell.Figures
import org.quayside.shell.FindingForm
import org.quayside.shell.FindingText
import org.quayside.shell.SubstanceChoice
import org.quayside.shell.SubstancePicker
import org.quayside.shell.Numbers
import org.quayside.shell.Problem
import org.quayside.shell.formValue
import org.quayside.shell.label

/**
 * Adds ([original] `null`) or edits a finding: declared and identified substance (picked from the
 * reference), or what the identifier really gave: "unknown" when it could not tell, a substance the
 * reference does not hold, or the composition it measured (component rows adding up to 100 %);
 * a pre-blended polyol's HCFC-141b content; the identifier's reading, cylinders and mass (net mass
 * computed from cylinders x kg per cylinder), labels and concealment.
 */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun FindingDialog(
    isNew: Boolean,
    form: FindingForm,
    restored: Boolean,
    numbers: Numbers,
    message: Problem?,
    onChange: (FindingForm) -> Unit,
    onDismiss: () -> Unit,
    onSave: () -> Unit,
) {
    // The form lives in the EditorViewModel (rotation) and in its draft (process death); every change goes to onChange.
    var picking by remember { mutableStateOf<((String) -> Unit)?>(null) }
    Dialog(onDismissRequest = onDismiss, properties = DialogProperties(usePlatformDefaultWidth = false)) {
        Surface(Modifier.fillMaxWidth().padding(12.dp), shape = MaterialTheme.shapes.large) {
            Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(str(if (isNew) "title_new_finding" else "title_edit_finding"), style = MaterialTheme.typography.titleLarge)
                if (restored) Text(str("notice_restored_draft"), style = MaterialTheme.typography.bodySmall)
                SubstanceField(str("field_declared_substance"), form["declared"], { onChange(form.with("declared" to it)) }) {
                    picking = { name -> onChange(form.with("declared" to name)) }
                }
                SubstanceField(str("field_identified"), form["identified"], { onChange(form.with("identified" to it)) }) {
                    picking = { name -> onChange(form.with("identified" to name, "identified_other" to "")) }
                }
                // The identifier could not tell: recorded as unknown, sent for laboratory analysis.
                FilterChip(
                    selected = form.identifiedUnknown,
                    onClick = {
                        onChange(if (form.identifiedUnknown) form.with("identified" to "") else form.with("identified" to FindingText.UNKNOWN, "identified_other" to ""))
                    },
                    label = { Text(str("field_identified_unknown")) },
                )
                FormField(str("field_identified_other"), form, "identified_other", onChange = onChange)
                CompositionRows(form.composition, onChange = { onChange(form.withComposition(it)) }, onPick = { choose -> picking = choose })
                val composition = try { form.compositionShares(numbers); null } catch (e: ApiException) { str(e.userMessage()) }
                if (form.composition.any { it.component.isNotBlank() || it.pct.isNotBlank() }) {
                    Text(
                        composition ?: str("composition_total", Figures.fmt(form.compositionTotal(numbers), 2)),
                        style = MaterialTheme.typography.bodySmall,
                        color = if (composition != null) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                    )
                }
                if (form.needsContent) {
                    FormField(str("field_content"), form, "content_pct", number = true, onChange = onChange)
                }
                FormField(str("field_instrument"), form, "instrument", onChange = onChange)
                FormField(str("field_reading"), form, "reading", onChange = onChange)
                FormField(str("field_purity"), form, "purity_pct", number = true, onChange = onChange)
                FormField(str("field_hs_observed"), form, "hs_code", number = true, onChange = onChange)
                FormField(str("field_cylinders"), form, "cylinders", number = true, onChange = onChange)
                FormField(str("field_kg_per_cylinder"), form, "kg_per_cylinder", number = true, onChange = onChange)
                FormField(str("field_net_mass"), form, "net_mass_kg", number = true, onChange = onChange)
                val net = try { form.netMass(numbers)?.let { numbers.format(it) + " kg" } } catch (e: ApiException) { str(e.userMessage()) }
                net?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
                Text(str("field_cylinder_type"), style = MaterialTheme.typography.labelLarge)
                FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                    for (t in CylinderType.entries) {
                        FilterChip(
                            selected = form.cylinderType == t,
                            onClick = { onChange(form.with("cylinder_type" to if (form.cylinderType == t) "" else t.formValue)) },
                            label = { Text(str(t.label)) },
                        )
                    }
                }
                FormField(str("field_labels"), form, "labels", onChange = onChange)
                FormField(str("field_concealment"), form, "concealment", onChange = onChange)
                FormField(str("field_notes"), form, "notes", singleLine = false, onChange = onChange)
                message?.let { MessageCard(it) }
                Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.End) {
                    TextButton(onClick = onDismiss) { Text(str("action_cancel")) }
                    Button(onClick = onSave) { Text(str("action_save_finding")) }
                }
            }
        }
    }
    picking?.let { choose ->
        SubstancePickerDialog(onDismiss = { picking = null }, onPick = { choice -> choose(choice.name); picking = null })
    }
}

/**
 * The composition the identifier measured, one row per component (a reference name, "air", or
 * "unknown" for what it could not name) with its % by mass; the rows must add up to 100 %.
 */
@Composable
private fun CompositionRows(rows: List<ComponentForm>, onChange: (List<ComponentForm>) -> Unit, onPick: ((String) -> Unit) -> Unit) {
    Text(str("field_composition_rows"), style = MaterialTheme.typography.labelLarge)
    for ((i, row) in rows.withIndex()) {
        fun update(r: ComponentForm) = onChange(rows.toMutableList().also { it[i] = r })
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Column(Modifier.weight(2f)) {
                SubstanceField(str("field_component"), row.component, { update(row.copy(component = it)) }) { onPick { name -> update(row.copy(component = name)) } }
            }
            Column(Modifier.weight(1f)) {
                Field("%", row.pct, number = true) { update(row.copy(pct = it)) }
            }
            TextButton(onClick = { onChange(rows.filterIndexed { j, _ -> j != i }) }, modifier = Modifier.padding(top = 8.dp)) { Text("\u2715") }
        }
    }
    TextButton(onClick = { onChange(rows + ComponentForm()) }) { Text(str("action_add_component")) }
}

/** A substance text field with a "Pick" button opening the reference search. */
@Composable
private fun SubstanceField(label: String, value: String, onChange: (String) -> Unit, onPick: () -> Unit) {
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedTextField(value, onChange, label = { Text(label) }, singleLine = true, modifier = Modifier.weight(1f))
        TextButton(onClick = onPick, modifier = Modifier.padding(top = 8.dp)) { Text(str("action_pick")) }
    }
}

/** Searches the shipped reference (any name, R-number, formula or chemical name) and returns a choice. */
@Composable
fun SubstancePickerDialog(onDismiss: () -> Unit, onPick: (SubstanceChoice) -> Unit) {
    var query by remember { mutableStateOf("") }
    val choices by produceState(emptyList<SubstanceChoice>(), query) {
        value = withContext(Dispatchers.Default) { SubstancePicker.search(query) }
    }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(str("title_substance")) },
        text = {
            Column {
                OutlinedTextField(query, { query = it }, label = { Text(str("field_substance_search")) }, singleLine = true, modifier = Modifier.fillMaxWidth())
                LazyColumn(Modifier.heightIn(max = 360.dp)) {
                    items(choices, key = { it.record.id }) { c ->
                        ListItem(
                            modifier = Modifier.clickable { onPick(c) },
                            headlineContent = { Text(c.label) },
                            supportingContent = { Text(str(c.facts)) },
                        )
                        HorizontalDivider()
                    }
                }
            }
        },
        confirmButton = {},
        dismissButton = { TextButton(onClick = onDismiss) { Text(str("action_cancel")) } },
    )
}
