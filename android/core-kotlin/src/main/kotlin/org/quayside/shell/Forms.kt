package org.quayside.shell

import org.quayside.core.ComponentShare
import org.quayside.core.CustodyFields
import org.quayside.core.CustodyRecord
import org.quayside.core.CylinderType
import org.quayside.core.FindingFields
import org.quayside.core.FindingRecord
import org.quayside.core.GeoPoint
import org.quayside.core.InspectionFields
import org.quayside.core.InspectionRecord
import org.quayside.core.ModusOperandi
import org.quayside.core.SeizureAction
import org.quayside.core.SeizureFields
import org.quayside.core.custodyFieldsFromForm
import org.quayside.core.custodyForm
import org.quayside.core.findingFieldsFromForm
import org.quayside.core.findingForm
import org.quayside.core.formatQuantity
import org.quayside.core.inspectionFieldsFromForm
import org.quayside.core.inspectionForm
import org.quayside.core.parseQuantity
import org.quayside.core.seizureFieldsFromForm
import org.quayside.core.seizureForm

/** The device's decimal separator (from `DecimalFormatSymbols`): "15 490,4" in Jakarta, "15,490.4" in Tema. */
data class Numbers(val decimalSeparator: String = ".") {
    /** [value] as the core shows it with this separator; `""` for `null`. */
    fun format(value: Double?): String = value?.let { formatQuantity(it, decimalSeparator) } ?: ""
}

/** An enum as the core writes it in a form: `SeizureAction.RE_EXPORTED` is `re-exported`. */
val Enum<*>.formValue: String get() = name.lowercase().replace('_', '-')

/** The entry of [E] written [value] in a form, `null` when none. */
inline fun <reified E : Enum<E>> formEnum(value: String): E? = enumValues<E>().firstOrNull { it.formValue == value.trim() }

// The core gives no label for these three (it does for review states, decisions and roles): the
// shell's own strings name each value, `cylinder_type_disposable`, `seizure_action_re_exported`, ...

/** The words for a cylinder type (`cylinder_type_<value>`). */
val CylinderType.label: Text get() = Text.Shell("cylinder_type_" + name.lowercase())

/** The words for a seizure action (`seizure_action_<value>`). */
val SeizureAction.label: Text get() = Text.Shell("seizure_action_" + name.lowercase())

/** The words for a modus operandi (`modus_operandi_<value>`). */
val ModusOperandi.label: Text get() = Text.Shell("modus_operandi_" + name.lowercase())

private val SAME_NAMED = ("seals size_type bill_of_lading description consignor consignee origin destination transit selection_reason " +
    "notes identified identified_other composition instrument reading cylinders kg_per_cylinder labels concealment case_ref legal_basis note").split(' ')
private val LABELS = mapOf(
    "container" to "field_container_number", "declaration" to "field_declaration_number", "quantity_kg" to "field_declared_quantity",
    "declared" to "field_declared_substance", "content_pct" to "field_content", "purity_pct" to "field_purity", "net_mass_kg" to "field_net_mass",
    "storage_location" to "field_storage", "from" to "field_custody_from", "to" to "field_custody_to", "location" to "field_where",
)

/** The label (a shell string id, e.g. `field_net_mass`) of the core's form field [key], as a refusal names it; `null` when none. */
fun fieldLabel(key: String): String? = when {
    key.startsWith("item.") -> if (key.endsWith(".kg")) "field_seized_quantity" else "field_seized_cylinders"
    key in SAME_NAMED -> "field_$key"
    else -> LABELS[key]
}

/**
 * A form as typed: the core's field names (`core/src/ffi/form_fields.rs`) to the text. The core
 * fills it from a record and reads it, and the same map is kept as the form's draft. A form never
 * compares itself with the record: it is sent whole with the heads it was filled from
 * (`based_on`) and the core writes what changed. Refusals are the core's [org.quayside.core.ApiException]
 * naming the field.
 */
sealed class Form<F : Form<F>> {
    /** The fields as typed, by the core's names. */
    abstract val fields: Map<String, String>

    /** Field [key] as typed, `""` when absent. */
    operator fun get(key: String): String = fields[key].orEmpty()

    /** This form with [changes] typed (or a draft's fields put back over a record's). */
    abstract fun with(changes: Map<String, String>): F

    /** This form with [changes] typed. */
    fun with(vararg changes: Pair<String, String>): F = with(changes.toMap())
}

/** The inspection header: container, declaration, selection and notes. */
data class InspectionForm(override val fields: Map<String, String> = emptyMap()) : Form<InspectionForm>() {
    override fun with(changes: Map<String, String>) = InspectionForm(fields + changes)

    /** The core's fields (a blank container is refused); a new inspection is recorded at [location]. */
    fun toFields(numbers: Numbers = Numbers(), location: GeoPoint? = null, allowInvalidCheckDigit: Boolean = false): InspectionFields =
        inspectionFieldsFromForm(mapOf("container" to "") + fields, numbers.decimalSeparator).let {
            it.copy(location = location ?: it.location, allowInvalidCheckDigit = allowInvalidCheckDigit || it.allowInvalidCheckDigit)
        }

    /** Filling the form. */
    companion object {
        /** The form showing [r] as stored. */
        fun from(r: InspectionRecord, numbers: Numbers = Numbers()) = InspectionForm(inspectionForm(r, numbers.decimalSeparator))
    }
}

/** One component of a measured composition as typed: a reference name, "air" or "unknown", and its % by mass. */
data class ComponentForm(val component: String = "", val pct: String = "")

/**
 * A finding as typed: what was found (a reference substance, [FindingText.UNKNOWN], one outside
 * the reference, or the measured composition), the identifier's reading, and the net mass typed
 * or as cylinders x kg per cylinder. The core computes the figures from whichever is given.
 */
data class FindingForm(override val fields: Map<String, String> = emptyMap()) : Form<FindingForm>() {
    /** Composition rows typed replace all of the form's rows. */
    override fun with(changes: Map<String, String>) =
        FindingForm((if ("composition.rows" in changes) fields.filterKeys { !it.startsWith("composition.") } else fields) + changes)

    /** The composition rows shown. */
    val composition: List<ComponentForm>
        get() = List(this["composition.rows"].toIntOrNull() ?: 0) { ComponentForm(this["composition.$it.component"], this["composition.$it.pct"]) }

    /** This form with the composition [rows]; none clears the composition (sent as one blank row). */
    fun withComposition(rows: List<ComponentForm>): FindingForm = with(
        rows.ifEmpty { listOf(ComponentForm()) }.withIndex()
            .flatMap { (i, c) -> listOf("composition.$i.component" to c.component, "composition.$i.pct" to c.pct) }
            .toMap() + ("composition.rows" to rows.size.toString()),
    )

    /** The kind of cylinder chosen, `null` when none. */
    val cylinderType: CylinderType? get() = formEnum(this["cylinder_type"])

    /** Whether the identifier could not tell what the gas is. */
    val identifiedUnknown: Boolean get() = this["identified"].trim().lowercase() == FindingText.UNKNOWN

    /** Whether the form asks for a pre-blended polyol's HCFC-141b content (one is declared or identified, or a content is typed). */
    val needsContent: Boolean
        get() = this["content_pct"].isNotBlank() || listOf(this["declared"], this["identified"]).any { name ->
            name.isNotBlank() && name.trim().lowercase() != FindingText.UNKNOWN && org.quayside.core.substance(name.trim())?.group == POLYOL_GROUP
        }

    /** The net mass by the core's rule: typed, else cylinders x kg per cylinder, else `null`; a refusal names its field. */
    fun netMass(numbers: Numbers = Numbers()): Double? {
        val keys = if (this["net_mass_kg"].isNotBlank()) setOf("net_mass_kg") else setOf("cylinders", "kg_per_cylinder")
        return findingFieldsFromForm(fields.filterKeys { it in keys }, numbers.decimalSeparator).netMassKg
    }

    /** The sum of the composition's percentages typed so far (rows whose % is not a number left out), for display. */
    fun compositionTotal(numbers: Numbers = Numbers()): Double =
        composition.sumOf { runCatching { parseQuantity(it.pct, numbers.decimalSeparator) }.getOrDefault(0.0) }

    /** The measured composition as the core reads it (blank rows skipped), so the officer learns at once; refused at `composition`. */
    fun compositionShares(numbers: Numbers = Numbers()): List<ComponentShare> =
        findingFieldsFromForm(fields.filterKeys { it.startsWith("composition.") }, numbers.decimalSeparator).composition.orEmpty()

    /** The core's fields for this form. */
    fun toFields(numbers: Numbers = Numbers()): FindingFields = findingFieldsFromForm(fields, numbers.decimalSeparator)

    /** Filling the form. */
    companion object {
        /** The reference group of pre-blended polyols, whose figures need the controlled content. */
        private const val POLYOL_GROUP = "polyol"

        /** The form showing [f] as stored (net mass typed, not split per cylinder). */
        fun from(f: FindingRecord, numbers: Numbers = Numbers()) = FindingForm(findingForm(f, numbers.decimalSeparator))
    }
}

/** The seizure: action, case, legal basis, modus operandi, storage, and the quantity seized per finding. */
data class SeizureForm(override val fields: Map<String, String> = emptyMap()) : Form<SeizureForm>() {
    override fun with(changes: Map<String, String>) = SeizureForm(fields + changes)

    /** What was done with the goods, `null` when not chosen. */
    val action: SeizureAction? get() = formEnum(this["action"])

    /** How the illegal trade was attempted. */
    val modusOperandi: Set<ModusOperandi> get() = this["modus_operandi"].split(',').mapNotNull { formEnum<ModusOperandi>(it) }.toSet()

    /** This form with [modus] chosen. */
    fun withModusOperandi(modus: Set<ModusOperandi>) = with("modus_operandi" to ModusOperandi.entries.filter { it in modus }.joinToString(",") { it.formValue })

    /** The findings with a seized quantity row (`item.<id>.kg` / `item.<id>.cylinders`), oldest first. */
    val itemIds: List<String> get() = fields.keys.filter { it.startsWith("item.") && it.endsWith(".kg") }.map { it.removePrefix("item.").removeSuffix(".kg") }.sorted()

    /** The core's fields; the seized items are those with a quantity. */
    fun toFields(numbers: Numbers = Numbers()): SeizureFields = seizureFieldsFromForm(fields, numbers.decimalSeparator)

    /** Filling the form. */
    companion object {
        /** The form for [inspection]'s seizure, one item row per finding. */
        fun from(inspection: InspectionRecord, numbers: Numbers = Numbers()) = SeizureForm(seizureForm(inspection, numbers.decimalSeparator))
    }
}

/** A chain-of-custody hand-over (`from`, `to`, `location`, `note`, and `at` kept by a correction). */
data class CustodyForm(override val fields: Map<String, String> = emptyMap()) : Form<CustodyForm>() {
    override fun with(changes: Map<String, String>) = CustodyForm(fields + changes)

    /** The core's fields; both parties are required. */
    fun toFields(): CustodyFields = custodyFieldsFromForm(fields)

    /** Filling the form. */
    companion object {
        /** The form showing entry [c]. */
        fun from(c: CustodyRecord) = CustodyForm(custodyForm(c))
    }
}
