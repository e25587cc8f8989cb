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
import org.quayside.core.CylinderType
import org.quayside.core.FindingRecord
import org.quayside.shell.ComponentForm
import org.quayside.shell.Figures
import org.quayside.shell.FindingForm
import org.quayside.shell.FindingText
import org.quayside.shell.InputException
import org.quayside.shell.SubstanceChoice
import org.quayside.shell.SubstancePicker
import org.quayside.shell.Numbers
import org.quayside.shell.Problem

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
                SubstanceField(str("field_declared_substance"), form.declaredSubstance, { onChange(form.copy(declaredSubstance = it)) }) {
                    picking = { name -> onChange(form.copy(declaredSubstance = name)) }
                }
                SubstanceField(str("field_identified"), form.identifiedSubstance, { onChange(form.copy(identifiedSubstance = it)) }) {
                    picking = { name -> onChange(form.copy(identifiedSubstance = name, identifiedOther = "")) }
                }
                // The identifier could not tell: recorded as unknown, sent for laboratory analysis.
                FilterChip(
                    selected = form.identifiedUnknown,
                    onClick = {
                        onChange(if (form.identifiedUnknown) form.copy(identifiedSubstance = "") else form.copy(identifiedSubstance = FindingText.UNKNOWN, identifiedOther = ""))
                    },
                    label = { Text("Identifier could not tell (unknown)") },
                )
                Field(str("field_identified_other"), form.identifiedOther) { onChange(form.copy(identifiedOther = it)) }
                CompositionRows(form.composition, onChange = { onChange(form.copy(composition = it)) }, onPick = { choose -> picking = choose })
                val composition = try { form.compositionShares(numbers); null } catch (e: InputException) { str(e.text) }
                if (form.composition.any { it.component.isNotBlank() || it.pct.isNotBlank() }) {
                    Text(
                        composition ?: "Total ${Figures.fmt(form.compositionTotal(), 2)} %",
                        style = MaterialTheme.typography.bodySmall,
                        color = if (composition != null) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                    )
                }
                if (form.needsContent) {
                    Field(str("field_content"), form.contentPct, number = true) { onChange(form.copy(contentPct = it)) }
                }
                Field(str("field_instrument"), form.instrument) { onChange(form.copy(instrument = it)) }
                Field(str("field_reading"), form.readingResult) { onChange(form.copy(readingResult = it)) }
                Field(str("field_purity"), form.purityPct, number = true) { onChange(form.copy(purityPct = it)) }
                Field(str("field_hs_observed"), form.hsCodeObserved, number = true) { onChange(form.copy(hsCodeObserved = it)) }
                Field(str("field_cylinders"), form.cylinders, number = true) { onChange(form.copy(cylinders = it)) }
                Field(str("field_kg_per_cylinder"), form.kgPerCylinder, number = true) { onChange(form.copy(kgPerCylinder = it)) }
                Field(str("field_net_mass"), form.netMassKg, number = true) { onChange(form.copy(netMassKg = it)) }
                val net = try { form.netMass(numbers)?.let { numbers.format(it) + " kg" } } catch (e: InputException) { str(e.text) }
                net?.let { Text(it, style = MaterialTheme.typography.bodyMedium) }
                Text("Cylinder type", style = MaterialTheme.typography.labelLarge)
                FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
                    for (t in CylinderType.entries) {
                        FilterChip(
                            selected = form.cylinderType == t,
                            onClick = { onChange(form.copy(cylinderType = if (form.cylinderType == t) null else t)) },
                            label = { Text(t.name.lowercase()) },
                        )
                    }
                }
                Field(str("field_labels"), form.labels) { onChange(form.copy(labels = it)) }
                Field(str("field_concealment"), form.concealment) { onChange(form.copy(concealment = it)) }
                Field(str("field_notes"), form.notes, singleLine = false) { onChange(form.copy(notes = it)) }
                message?.let { MessageCard(it) }
                Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.End) {
                    TextButton(onClick = onDismiss) { Text("Cancel") }
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
    Text("Measured composition (% by mass), if the identifier gave one", style = MaterialTheme.typography.labelLarge)
    for ((i, row) in rows.withIndex()) {
        fun update(r: ComponentForm) = onChange(rows.toMutableList().also { it[i] = r })
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Column(Modifier.weight(2f)) {
                SubstanceField("Component", row.component, { update(row.copy(component = it)) }) { onPick { name -> update(row.copy(component = name)) } }
            }
            Column(Modifier.weight(1f)) {
                Field("%", row.pct, number = true) { update(row.copy(pct = it)) }
            }
            TextButton(onClick = { onChange(rows.filterIndexed { j, _ -> j != i }) }, modifier = Modifier.padding(top = 8.dp)) { Text("\u2715") }
        }
    }
    TextButton(onClick = { onChange(rows + ComponentForm()) }) { Text("Add component") }
}

/** A substance text field with a "Pick" button opening the reference search. */
@Composable
private fun SubstanceField(label: String, value: String, onChange: (String) -> Unit, onPick: () -> Unit) {
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        OutlinedTextField(value, onChange, label = { Text(label) }, singleLine = true, modifier = Modifier.weight(1f))
        TextButton(onClick = onPick, modifier = Modifier.padding(top = 8.dp)) { Text("Pick") }
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
        title = { Text("Substance") },
        text = {
            Column {
                OutlinedTextField(query, { query = it }, label = { Text("R-22, HFC-134a, Freon, CHClF2\u2026") }, singleLine = true, modifier = Modifier.fillMaxWidth())
                LazyColumn(Modifier.heightIn(max = 360.dp)) {
                    items(choices, key = { it.record.id }) { c ->
                        ListItem(
                            modifier = Modifier.clickable { onPick(c) },
                            headlineContent = { Text(c.label) },
                            supportingContent = { Text(c.facts) },
                        )
                        HorizontalDivider()
                    }
                }
            }
        },
        confirmButton = {},
        dismissButton = { TextButton(onClick = onDismiss) { Text("Cancel") } },
    )
}
