package org.quayside.shell

import org.quayside.core.ApiException
import org.quayside.core.ComponentShare
import org.quayside.core.CompositionRow
import org.quayside.core.CustodyFields
import org.quayside.core.CustodyRecord
import org.quayside.core.CylinderType
import org.quayside.core.DeclarationFields
import org.quayside.core.FindingFields
import org.quayside.core.FindingRecord
import org.quayside.core.GeoPoint
import org.quayside.core.InspectionFields
import org.quayside.core.InspectionRecord
import org.quayside.core.MessageKey
import org.quayside.core.ModusOperandi
import org.quayside.core.SeizedItem
import org.quayside.core.SeizureAction
import org.quayside.core.SeizureFields
import org.quayside.core.SeizureRecord
import org.quayside.core.findingFieldsFromForm
import org.quayside.core.formatQuantity
import org.quayside.core.parseCount
import org.quayside.core.parseQuantity

/**
 * Runs one of the core's form rules; its refusal becomes an [InputException] on [field], in the
 * core's words (its message key) and with its error code.
 */
internal inline fun <T> coreRule(field: String, rule: () -> T): T = try {
    rule()
} catch (e: ApiException) {
    throw InputException(Text.Core(e.userMessage()), field, e.code())
}

/**
 * Numbers as officers type them, read and shown by the core's rules (`parse_quantity`,
 * `parse_count`, `format_quantity`) with the device's decimal separator ([decimalSeparator], from
 * `DecimalFormatSymbols` on the phone): "15 490,4" in Jakarta and "15,490.4" in Tema.
 */
data class Numbers(val decimalSeparator: String = ".") {
    /** A quantity from [text], `null` when blank; the core's refusal (e.g. negative) names [field]. */
    fun quantity(text: String, field: String): Double? =
        if (text.isBlank()) null else coreRule(field) { parseQuantity(text, decimalSeparator) }

    /** A count from [text] ("1139", "1 139"), `null` when blank; the core's refusal names [field]. */
    fun count(text: String, field: String): UInt? = coreRule(field) { parseCount(text) }

    /** [value] as the core shows it with this separator; `""` for `null`. */
    fun format(value: Double?): String = value?.let { formatQuantity(it, decimalSeparator) } ?: ""
}

/** A draft's field [key] (as saved with `save_draft`), else [current]. */
private fun Map<String, String>.str(key: String, current: String = "") = this[key] ?: current

private fun splitList(text: String): List<String> =
    text.split(',', '\n', ';').map { it.trim() }.filter { it.isNotEmpty() }

/**
 * The inspection header as typed. A form never compares itself with the record: [toFields] sends
 * every field, and the core writes only what differs from the version the form was filled from
 * (`based_on`), so a colleague's change to another field stays.
 */
data class InspectionForm(
    /** ISO 6346 number, e.g. CSQU3054383 (spaces and case forgiven). */
    val containerNumber: String = "",
    /** Seal numbers separated by commas or new lines. */
    val seals: String = "",
    /** ISO size/type code, e.g. 22G1. */
    val sizeType: String = "",
    /** Customs declaration number. */
    val declarationNumber: String = "",
    /** Bill of lading number. */
    val billOfLading: String = "",
    /** HS code on the declaration, e.g. 3827.64. */
    val declaredHsCode: String = "",
    /** Description of goods on the declaration. */
    val declaredDescription: String = "",
    /** Declared quantity in kg, as typed. */
    val declaredQuantityKg: String = "",
    /** Consignor (exporter). */
    val consignor: String = "",
    /** Consignee (importer). */
    val consignee: String = "",
    /** UN/LOCODE or country code. */
    val origin: String = "",
    /** UN/LOCODE or country code of destination. */
    val destination: String = "",
    /** Transit ports separated by commas. */
    val transit: String = "",
    /** Why the container was selected (risk profile, tip-off, ...). */
    val selectionReason: String = "",
    /** Free notes. */
    val notes: String = "",
) {
    /** All the core's fields for this form (`""` clears a field). */
    fun toFields(numbers: Numbers = Numbers(), location: GeoPoint? = null, allowInvalidCheckDigit: Boolean = false): InspectionFields {
        if (containerNumber.isBlank()) throw InputException(Text.Shell("input_container_required"), "field_container_number")
        return InspectionFields(
            containerNumber = containerNumber.trim(),
            allowInvalidCheckDigit = allowInvalidCheckDigit,
            seals = splitList(seals),
            sizeType = sizeType.trim(),
            declaration = DeclarationFields(
                number = declarationNumber.trim(),
                billOfLading = billOfLading.trim(),
                hsCode = declaredHsCode.trim(),
                description = declaredDescription.trim(),
                quantityKg = numbers.quantity(declaredQuantityKg, "field_declared_quantity"),
                consignor = consignor.trim(),
                consignee = consignee.trim(),
                origin = origin.trim(),
                destination = destination.trim(),
                transit = splitList(transit),
            ),
            location = location,
            selectionReason = selectionReason.trim(),
            notes = notes.trim(),
        )
    }

    /** The form as a draft's fields (`save_draft`). */
    fun draftFields(): Map<String, String> = mapOf(
        "container" to containerNumber, "seals" to seals, "size_type" to sizeType, "declaration" to declarationNumber,
        "bill_of_lading" to billOfLading, "hs_code" to declaredHsCode, "description" to declaredDescription,
        "quantity_kg" to declaredQuantityKg, "consignor" to consignor, "consignee" to consignee, "origin" to origin,
        "destination" to destination, "transit" to transit, "selection_reason" to selectionReason, "notes" to notes,
    )

    /** Helpers to fill a form from a stored record or a draft. */
    companion object {
        /** The form showing [r]'s current values. */
        fun from(r: InspectionRecord, numbers: Numbers = Numbers()): InspectionForm = InspectionForm(
            containerNumber = r.container.number,
            seals = r.container.seals.joinToString(", "),
            sizeType = r.container.sizeType ?: "",
            declarationNumber = r.declaration.number ?: "",
            billOfLading = r.declaration.billOfLading ?: "",
            declaredHsCode = r.declaration.hsCode ?: "",
            declaredDescription = r.declaration.description ?: "",
            declaredQuantityKg = numbers.format(r.declaration.quantityKg),
            consignor = r.declaration.consignor ?: "",
            consignee = r.declaration.consignee ?: "",
            origin = r.declaration.origin ?: "",
            destination = r.declaration.destination ?: "",
            transit = r.declaration.transit.joinToString(", "),
            selectionReason = r.selectionReason ?: "",
            notes = r.notes,
        )

        /** [base] with every field a draft kept ([fields]) put back: the draft wins for the fields it has. */
        fun fromDraft(fields: Map<String, String>, base: InspectionForm = InspectionForm()): InspectionForm = InspectionForm(
            containerNumber = fields.str("container", base.containerNumber), seals = fields.str("seals", base.seals), sizeType = fields.str("size_type", base.sizeType),
            declarationNumber = fields.str("declaration", base.declarationNumber), billOfLading = fields.str("bill_of_lading", base.billOfLading),
            declaredHsCode = fields.str("hs_code", base.declaredHsCode), declaredDescription = fields.str("description", base.declaredDescription),
            declaredQuantityKg = fields.str("quantity_kg", base.declaredQuantityKg), consignor = fields.str("consignor", base.consignor),
            consignee = fields.str("consignee", base.consignee), origin = fields.str("origin", base.origin), destination = fields.str("destination", base.destination),
            transit = fields.str("transit", base.transit), selectionReason = fields.str("selection_reason", base.selectionReason), notes = fields.str("notes", base.notes),
        )
    }
}

/** One component of a measured composition as typed: a reference name, "air" or "unknown", and its % by mass. */
data class ComponentForm(val component: String = "", val pct: String = "")

/**
 * A finding as typed. The net mass is either typed directly or computed from the cylinder count
 * and the mass per cylinder printed on the cylinder (1139 cylinders x 13.6 kg = 15490.4 kg).
 *
 * What was found is recorded as the officer really found it: a substance from the reference,
 * "unknown" when the identifier could not tell, a substance the reference does not hold
 * ([identifiedOther]), or the composition the identifier measured (a contaminated or mixed
 * charge). The core computes the figures from whichever is given and says what they rest on.
 */
data class FindingForm(
    /** Substance named on the declaration or labels (any reference name). */
    val declaredSubstance: String = "",
    /** Substance the refrigerant identifier found: any reference name, or [FindingText.UNKNOWN] when it could not tell. */
    val identifiedSubstance: String = "",
    /** A substance identified that the reference does not hold, as the identifier named it. */
    val identifiedOther: String = "",
    /** The composition the identifier measured, one row per component (empty rows are ignored). */
    val composition: List<ComponentForm> = emptyList(),
    /** Of a pre-blended polyol: its HCFC-141b content in % by mass, as typed. */
    val contentPct: String = "",
    /** The identifier instrument used. */
    val instrument: String = "",
    /** The identifier's result as displayed. */
    val readingResult: String = "",
    /** Purity in percent, as typed. */
    val purityPct: String = "",
    /** HS code seen on labels or packaging. */
    val hsCodeObserved: String = "",
    /** Number of cylinders, as typed. */
    val cylinders: String = "",
    /** Net kg per cylinder as printed on it, as typed. */
    val kgPerCylinder: String = "",
    /** Net mass in kg when typed directly (overrides cylinders x kg per cylinder). */
    val netMassKg: String = "",
    /** Kind of cylinder, `null` when not given. */
    val cylinderType: CylinderType? = null,
    /** What the labels say. */
    val labels: String = "",
    /** How the goods were concealed. */
    val concealment: String = "",
    /** Free notes. */
    val notes: String = "",
) {
    /** Whether the identifier could not tell what the gas is. */
    val identifiedUnknown: Boolean get() = identifiedSubstance.trim().lowercase() == FindingText.UNKNOWN

    /**
     * Whether the form asks for the polyol's HCFC-141b content: a pre-blended polyol is declared
     * or identified (its figures need the content), or a content was already typed.
     */
    val needsContent: Boolean
        get() = contentPct.isNotBlank() || listOf(declaredSubstance, identifiedSubstance).any { name ->
            name.isNotBlank() && name.trim().lowercase() != FindingText.UNKNOWN &&
                org.quayside.core.substance(name.trim())?.group == POLYOL_GROUP
        }

    /**
     * The net mass this form records, by the core's rule (`net_mass`, the same on every phone):
     * typed, else cylinders x kg per cylinder rounded to grams, else `null`. A refusal names the
     * field it comes from.
     */
    fun netMass(numbers: Numbers = Numbers()): Double? = try {
        org.quayside.core.netMass(netMassKg, cylinders, kgPerCylinder, numbers.decimalSeparator)
    } catch (e: ApiException) {
        val field = when {
            netMassKg.isNotBlank() -> "field_net_mass"
            e.userMessage().key == MessageKey.COUNT_NOT_WHOLE -> "field_cylinders"
            else -> "field_kg_per_cylinder"
        }
        throw InputException(Text.Core(e.userMessage()), field, e.code())
    }

    /** The sum of the composition's percentages typed so far (rows whose % is not a number left out), for display. */
    fun compositionTotal(numbers: Numbers = Numbers()): Double =
        composition.sumOf { row -> runCatching { numbers.quantity(row.pct, "field_composition") }.getOrNull() ?: 0.0 }

    /**
     * The measured composition, read and checked by the core (`composition_shares`, blank rows
     * skipped) as it will be when saved, so the officer learns at once; a refusal names
     * `field_composition`.
     */
    fun compositionShares(numbers: Numbers = Numbers()): List<ComponentShare> = coreRule("field_composition") {
        org.quayside.core.compositionShares(composition.map { CompositionRow(it.component, it.pct) }, numbers.decimalSeparator)
    }

    /**
     * All the core's fields for this form, read by the core (`finding_fields_from_form`) from the
     * same map as its draft (`""` clears a field, an empty number leaves it, an empty composition
     * clears it); a refusal names the form's field. [isNew] for a new finding.
     */
    fun toFields(numbers: Numbers = Numbers(), isNew: Boolean = true): FindingFields {
        if (identifiedSubstance.isNotBlank() && identifiedOther.isNotBlank()) {
            throw InputException(Text.Shell("input_identified_both"), "field_identified_other")
        }
        // A blank row clears the composition (no rows at all would leave it as it is).
        val form = if (composition.isEmpty()) draftFields() + mapOf("composition.0.component" to "", "composition.0.pct" to "") else draftFields()
        val fields = try {
            findingFieldsFromForm(form, numbers.decimalSeparator)
        } catch (e: ApiException) {
            val key = (e as? ApiException.Invalid)?.field
            throw InputException(Text.Core(e.userMessage()), key?.let { FIELD_IDS[it] ?: "field_$it" }, e.code())
        }
        fields.purityPct?.let { if (it > 100.0) throw InputException(Text.Shell("input_percent_range"), "field_purity") }
        fields.contentPct?.let { if (it > 100.0) throw InputException(Text.Shell("input_percent_range"), "field_content") }
        if (isNew && declaredSubstance.isBlank() && identifiedSubstance.isBlank() && identifiedOther.isBlank() && fields.composition.isNullOrEmpty()) {
            throw InputException(Text.Shell("input_substance_required"), "field_identified")
        }
        return fields
    }

    /** The form as a draft's fields (`save_draft`); composition rows as `composition.<n>.component` / `.pct`. */
    fun draftFields(): Map<String, String> = buildMap {
        put("declared", declaredSubstance); put("identified", identifiedSubstance); put("identified_other", identifiedOther)
        put("content_pct", contentPct); put("instrument", instrument); put("reading", readingResult); put("purity_pct", purityPct)
        put("hs_code", hsCodeObserved); put("cylinders", cylinders); put("kg_per_cylinder", kgPerCylinder); put("net_mass_kg", netMassKg)
        put("cylinder_type", cylinderType?.name ?: ""); put("labels", labels); put("concealment", concealment); put("notes", notes)
        put("composition.rows", composition.size.toString())
        composition.forEachIndexed { i, c -> put("composition.$i.component", c.component); put("composition.$i.pct", c.pct) }
    }

    /** Helpers to fill a form from a stored finding or a draft. */
    companion object {
        /** The reference group of pre-blended polyols, whose figures need the controlled content. */
        private const val POLYOL_GROUP = "polyol"

        /** The form's field ids by the keys of its draft (as the core names them in a refusal). */
        private val FIELD_IDS = mapOf(
            "declared" to "field_declared_substance", "identified" to "field_identified", "identified_other" to "field_identified_other",
            "content_pct" to "field_content", "instrument" to "field_instrument", "reading" to "field_reading", "purity_pct" to "field_purity",
            "hs_code" to "field_hs_observed", "cylinders" to "field_cylinders", "kg_per_cylinder" to "field_kg_per_cylinder",
            "net_mass_kg" to "field_net_mass", "labels" to "field_labels", "concealment" to "field_concealment", "notes" to "field_notes",
            "composition" to "field_composition",
        )

        /** The form showing [f]'s current values (net mass typed, not split per cylinder). */
        fun from(f: FindingRecord, numbers: Numbers = Numbers()): FindingForm = FindingForm(
            declaredSubstance = f.declaredSubstance ?: "",
            identifiedSubstance = f.identifiedSubstance ?: "",
            identifiedOther = f.identifiedOther ?: "",
            composition = f.composition.map { ComponentForm(it.component, numbers.format(it.pct)) },
            contentPct = numbers.format(f.contentPct),
            instrument = f.identifierReading?.instrument ?: "",
            readingResult = f.identifierReading?.result ?: "",
            purityPct = numbers.format(f.identifierReading?.purityPct),
            hsCodeObserved = f.hsCodeObserved ?: "",
            cylinders = f.cylinders?.toString() ?: "",
            netMassKg = numbers.format(f.netMassKg),
            cylinderType = f.cylinderType,
            labels = f.labels ?: "",
            concealment = f.concealment ?: "",
            notes = f.notes ?: "",
        )

        /** [base] with every field a draft kept put back. */
        fun fromDraft(d: Map<String, String>, base: FindingForm = FindingForm()): FindingForm {
            val rows = d["composition.rows"]?.toIntOrNull()
            return FindingForm(
                declaredSubstance = d.str("declared", base.declaredSubstance), identifiedSubstance = d.str("identified", base.identifiedSubstance),
                identifiedOther = d.str("identified_other", base.identifiedOther),
                composition = if (rows == null) base.composition else (0 until rows).map { ComponentForm(d.str("composition.$it.component"), d.str("composition.$it.pct")) },
                contentPct = d.str("content_pct", base.contentPct), instrument = d.str("instrument", base.instrument), readingResult = d.str("reading", base.readingResult),
                purityPct = d.str("purity_pct", base.purityPct), hsCodeObserved = d.str("hs_code", base.hsCodeObserved), cylinders = d.str("cylinders", base.cylinders),
                kgPerCylinder = d.str("kg_per_cylinder", base.kgPerCylinder), netMassKg = d.str("net_mass_kg", base.netMassKg),
                cylinderType = d["cylinder_type"]?.let { t -> CylinderType.entries.firstOrNull { it.name == t } } ?: base.cylinderType.takeIf { "cylinder_type" !in d },
                labels = d.str("labels", base.labels), concealment = d.str("concealment", base.concealment), notes = d.str("notes", base.notes),
            )
        }
    }
}

/** One seized quantity as typed, per finding. */
data class SeizedItemForm(val findingId: String, val quantityKg: String = "", val cylinders: String = "")

/** The seizure as typed. */
data class SeizureForm(
    /** What was done with the goods. */
    val action: SeizureAction? = null,
    /** The case reference. */
    val caseRef: String = "",
    /** The legal provision relied on. */
    val legalBasis: String = "",
    /** How the illegal trade was attempted. */
    val modusOperandi: Set<ModusOperandi> = emptySet(),
    /** Where the seized goods are stored. */
    val storageLocation: String = "",
    /** Quantity seized per finding. */
    val items: List<SeizedItemForm> = emptyList(),
) {
    /** All the core's fields; items with no quantity are left out. */
    fun toFields(numbers: Numbers = Numbers()): SeizureFields {
        val seized = items.mapNotNull { item ->
            val kg = numbers.quantity(item.quantityKg, "field_seized_quantity") ?: return@mapNotNull null
            SeizedItem(item.findingId, kg, numbers.count(item.cylinders, "field_seized_cylinders"))
        }
        return SeizureFields(
            caseRef = caseRef.trim(),
            action = action,
            legalBasis = legalBasis.trim(),
            modusOperandi = ModusOperandi.entries.filter { it in modusOperandi },
            storageLocation = storageLocation.trim(),
            items = seized,
        )
    }

    /** The form as a draft's fields; items as `item.<finding id>.kg` / `.cylinders`. */
    fun draftFields(): Map<String, String> = buildMap {
        put("action", action?.name ?: ""); put("case_ref", caseRef); put("legal_basis", legalBasis)
        put("modus_operandi", modusOperandi.joinToString(",") { it.name }); put("storage_location", storageLocation)
        for (i in items) { put("item.${i.findingId}.kg", i.quantityKg); put("item.${i.findingId}.cylinders", i.cylinders) }
    }

    /** Helpers to fill a form from a stored seizure or a draft. */
    companion object {
        /** The form for [s] with one item row per finding in [findings]. */
        fun from(s: SeizureRecord?, findings: List<FindingRecord>, numbers: Numbers = Numbers()): SeizureForm = SeizureForm(
            action = s?.action,
            caseRef = s?.caseRef ?: "",
            legalBasis = s?.legalBasis ?: "",
            modusOperandi = s?.modusOperandi?.toSet() ?: emptySet(),
            storageLocation = s?.storageLocation ?: "",
            items = findings.map { f ->
                val item = s?.items?.firstOrNull { it.findingId == f.id }
                SeizedItemForm(f.id, numbers.format(item?.quantityKg), item?.cylinders?.toString() ?: "")
            },
        )

        /** [base] with every field a draft kept put back. */
        fun fromDraft(d: Map<String, String>, base: SeizureForm): SeizureForm = SeizureForm(
            action = d["action"]?.let { a -> SeizureAction.entries.firstOrNull { it.name == a } } ?: base.action.takeIf { "action" !in d },
            caseRef = d["case_ref"] ?: base.caseRef,
            legalBasis = d["legal_basis"] ?: base.legalBasis,
            modusOperandi = d["modus_operandi"]?.let { m -> ModusOperandi.entries.filter { it.name in m.split(',') }.toSet() } ?: base.modusOperandi,
            storageLocation = d["storage_location"] ?: base.storageLocation,
            items = base.items.map { i ->
                i.copy(quantityKg = d["item.${i.findingId}.kg"] ?: i.quantityKg, cylinders = d["item.${i.findingId}.cylinders"] ?: i.cylinders)
            },
        )
    }
}

/** A chain-of-custody hand-over as typed (a new one, or a correction of an entry). */
data class CustodyForm(val from: String = "", val to: String = "", val location: String = "", val note: String = "") {
    /** The core's fields; both parties are required. */
    fun toFields(): CustodyFields {
        if (from.isBlank() || to.isBlank()) throw InputException(Text.Shell("input_custody_parties"), "field_custody_to")
        return CustodyFields(from = from.trim(), to = to.trim(), location = location.trim(), note = note.trim(), at = null)
    }

    /** The form as a draft's fields. */
    fun draftFields(): Map<String, String> = mapOf("from" to from, "to" to to, "location" to location, "note" to note)

    /** Helpers to fill a form from an entry or a draft. */
    companion object {
        /** The form showing entry [c]. */
        fun from(c: CustodyRecord): CustodyForm = CustodyForm(c.from, c.to, c.location ?: "", c.note ?: "")

        /** A form from a draft's fields. */
        fun fromDraft(d: Map<String, String>, base: CustodyForm = CustodyForm()): CustodyForm =
            CustodyForm(d["from"] ?: base.from, d["to"] ?: base.to, d["location"] ?: base.location, d["note"] ?: base.note)
    }
}
