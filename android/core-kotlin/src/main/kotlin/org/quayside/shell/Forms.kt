package org.quayside.shell

import org.quayside.core.ComponentShare
import org.quayside.core.CustodyFields
import org.quayside.core.CylinderType
import org.quayside.core.DeclarationFields
import org.quayside.core.FindingFields
import org.quayside.core.FindingRecord
import org.quayside.core.GeoPoint
import org.quayside.core.InspectionFields
import org.quayside.core.InspectionRecord
import org.quayside.core.ModusOperandi
import org.quayside.core.SeizedItem
import org.quayside.core.SeizureAction
import org.quayside.core.SeizureFields
import org.quayside.core.SeizureRecord

/**
 * Parsing of what officers type into text fields. Officers type decimal commas as often as points
 * ("13,6"), and spaces or apostrophes as thousands separators ("15 490,4"); an empty field is "not given".
 */
object Numbers {
    /** A non-negative decimal from [text], `null` when blank; throws [InputException] naming [label]. */
    fun decimal(text: String, label: String): Double? {
        val t = text.trim().replace(" ", "").replace("\u00a0", "").replace("'", "")
        if (t.isEmpty()) return null
        val normalized = if (t.count { it == ',' } == 1 && !t.contains('.')) t.replace(',', '.') else t.replace(",", "")
        val value = normalized.toDoubleOrNull()
            ?: throw InputException("$label: \u201c$text\u201d is not a number")
        if (value.isNaN() || value.isInfinite() || value < 0) throw InputException("$label must be zero or more")
        return value
    }

    /** A non-negative whole number from [text], `null` when blank; throws [InputException] naming [label]. */
    fun count(text: String, label: String): UInt? {
        val t = text.trim().replace(" ", "").replace("\u00a0", "")
        if (t.isEmpty()) return null
        val value = t.toLongOrNull() ?: throw InputException("$label: \u201c$text\u201d is not a whole number")
        if (value < 0 || value > UInt.MAX_VALUE.toLong()) throw InputException("$label must be zero or more")
        return value.toUInt()
    }

    /** [value] for a text field: no trailing ".0", no exponent. */
    fun format(value: Double?): String = when {
        value == null -> ""
        value == Math.floor(value) && value < 1e15 -> value.toLong().toString()
        else -> java.math.BigDecimal(value).round(java.math.MathContext(12)).stripTrailingZeros().toPlainString()
    }
}

/** Text of a field for the core: `null` when unchanged from [original], `""` to clear it. */
private fun changed(text: String, original: String?): String? {
    val t = text.trim()
    return if (t == (original ?: "")) null else t
}

/**
 * The inspection header as typed: container, seals, declaration and selection reason. [toFields]
 * sends only what differs from the record being edited, so an untouched field never creates a
 * change (or a false conflict with a colleague's edit).
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
    /** The core's fields for this form; with [original] only the differences. */
    fun toFields(original: InspectionRecord? = null, location: GeoPoint? = null, allowInvalidCheckDigit: Boolean = false): InspectionFields {
        if (original == null && containerNumber.isBlank()) throw InputException("Container number is required")
        val d = original?.declaration
        val sealList = splitList(seals)
        val transitList = splitList(transit)
        val declaration = DeclarationFields(
            number = changed(declarationNumber, d?.number),
            billOfLading = changed(billOfLading, d?.billOfLading),
            hsCode = changed(declaredHsCode, d?.hsCode),
            description = changed(declaredDescription, d?.description),
            quantityKg = Numbers.decimal(declaredQuantityKg, "Declared quantity (kg)")?.takeIf { it != d?.quantityKg },
            consignor = changed(consignor, d?.consignor),
            consignee = changed(consignee, d?.consignee),
            origin = changed(origin, d?.origin),
            destination = changed(destination, d?.destination),
            transit = transitList.takeIf { it != (d?.transit ?: emptyList<String>()) },
        )
        return InspectionFields(
            containerNumber = changed(containerNumber, original?.container?.number)?.takeIf { it.isNotEmpty() },
            allowInvalidCheckDigit = allowInvalidCheckDigit,
            seals = sealList.takeIf { it != (original?.container?.seals ?: emptyList<String>()) },
            sizeType = changed(sizeType, original?.container?.sizeType),
            declaration = declaration.takeIf { it != DeclarationFields() },
            location = location,
            selectionReason = changed(selectionReason, original?.selectionReason),
            notes = changed(notes, original?.notes),
        )
    }

    /** Helpers to fill a form from a stored record. */
    companion object {
        /** The form showing [r]'s current values. */
        fun from(r: InspectionRecord): InspectionForm = InspectionForm(
            containerNumber = r.container.number,
            seals = r.container.seals.joinToString(", "),
            sizeType = r.container.sizeType ?: "",
            declarationNumber = r.declaration.number ?: "",
            billOfLading = r.declaration.billOfLading ?: "",
            declaredHsCode = r.declaration.hsCode ?: "",
            declaredDescription = r.declaration.description ?: "",
            declaredQuantityKg = Numbers.format(r.declaration.quantityKg),
            consignor = r.declaration.consignor ?: "",
            consignee = r.declaration.consignee ?: "",
            origin = r.declaration.origin ?: "",
            destination = r.declaration.destination ?: "",
            transit = r.declaration.transit.joinToString(", "),
            selectionReason = r.selectionReason ?: "",
            notes = r.notes,
        )
    }
}

private fun splitList(text: String): List<String> =
    text.split(',', '\n', ';').map { it.trim() }.filter { it.isNotEmpty() }

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
    val identifiedUnknown: Boolean get() = identifiedSubstance.trim().equals(FindingText.UNKNOWN, ignoreCase = true)

    /**
     * Whether the form asks for the polyol's HCFC-141b content: a pre-blended polyol is declared
     * or identified (its figures need the content), or a content was already typed.
     */
    val needsContent: Boolean
        get() = contentPct.isNotBlank() || listOf(declaredSubstance, identifiedSubstance).any { name ->
            name.isNotBlank() && !name.trim().equals(FindingText.UNKNOWN, ignoreCase = true) &&
                org.quayside.core.substance(name.trim())?.group == POLYOL_GROUP
        }

    /** The net mass this form records: typed, else cylinders x kg per cylinder, else `null`. */
    fun netMass(): Double? {
        Numbers.decimal(netMassKg, "Net mass (kg)")?.let { return it }
        val n = Numbers.count(cylinders, "Cylinders") ?: return null
        val per = Numbers.decimal(kgPerCylinder, "kg per cylinder") ?: return null
        // Round to grams: 1139 x 13.6 is 15490.4, not 15490.399999999998.
        return Math.round(n.toDouble() * per * 1000.0) / 1000.0
    }

    /** The sum of the composition's percentages typed so far (rows whose % is not a number left out), for display. */
    fun compositionTotal(): Double =
        composition.sumOf { row -> runCatching { Numbers.decimal(row.pct, "%") }.getOrNull() ?: 0.0 }

    /**
     * The measured composition for the core: every row named and given a share, the shares adding
     * up to 100 % within [COMPOSITION_TOLERANCE] (identifiers round). Checked here so the officer
     * learns at once; the core checks again (names, duplicates, the sum) and its refusal stands.
     */
    fun compositionShares(): List<ComponentShare> {
        val shares = composition.filter { it.component.isNotBlank() || it.pct.isNotBlank() }.map { row ->
            val name = row.component.trim()
            if (name.isEmpty()) throw InputException("Composition: name the component of ${row.pct.trim()} % (a substance, \u201cair\u201d or \u201cunknown\u201d)")
            val pct = Numbers.decimal(row.pct, "Composition, % of $name")
                ?: throw InputException("Composition: give the % by mass of $name")
            if (pct <= 0.0 || pct > 100.0) throw InputException("Composition: the share of $name must be more than 0 and at most 100 %")
            ComponentShare(name, pct)
        }
        val total = shares.sumOf { it.pct }
        if (shares.isNotEmpty() && Math.abs(total - 100.0) > COMPOSITION_TOLERANCE) {
            throw InputException("Composition adds up to ${Figures.fmt(total, 2)} %, not 100 %: name the rest \u201cunknown\u201d")
        }
        return shares
    }

    /** The core's fields for this form; with [original] only the differences. */
    fun toFields(original: FindingRecord? = null): FindingFields {
        val purity = Numbers.decimal(purityPct, "Purity (%)")
        if (purity != null && purity > 100.0) throw InputException("Purity (%) must be between 0 and 100")
        val content = Numbers.decimal(contentPct, "HCFC-141b content (%)")
        if (content != null && content > 100.0) throw InputException("HCFC-141b content (%) must be between 0 and 100")
        if (identifiedSubstance.isNotBlank() && identifiedOther.isNotBlank()) {
            throw InputException("Give the identified substance from the reference, or one outside it, not both")
        }
        val shares = compositionShares()
        if (original == null && declaredSubstance.isBlank() && identifiedSubstance.isBlank() && identifiedOther.isBlank() && shares.isEmpty()) {
            throw InputException("Give the declared or the identified substance (or \u201cunknown\u201d, or the measured composition)")
        }
        val reading = original?.identifierReading
        return FindingFields(
            declaredSubstance = changed(declaredSubstance, original?.declaredSubstance),
            identifiedSubstance = changed(identifiedSubstance, original?.identifiedSubstance),
            identifiedOther = changed(identifiedOther, original?.identifiedOther),
            // An empty list clears a stored composition; an unchanged one is not sent.
            composition = shares.takeIf { it != (original?.composition ?: emptyList<ComponentShare>()) },
            contentPct = content?.takeIf { it != original?.contentPct },
            instrument = changed(instrument, reading?.instrument),
            readingResult = changed(readingResult, reading?.result),
            purityPct = purity?.takeIf { it != reading?.purityPct },
            hsCodeObserved = changed(hsCodeObserved, original?.hsCodeObserved),
            cylinders = Numbers.count(cylinders, "Cylinders")?.takeIf { it != original?.cylinders },
            cylinderType = cylinderType?.takeIf { it != original?.cylinderType },
            netMassKg = netMass()?.takeIf { it != original?.netMassKg },
            labels = changed(labels, original?.labels),
            concealment = changed(concealment, original?.concealment),
            notes = changed(notes, original?.notes),
        )
    }

    /** Helpers to fill a form from a stored finding. */
    companion object {
        /** How far from 100 % a measured composition may add up (the core's tolerance: identifiers round). */
        const val COMPOSITION_TOLERANCE = 0.5

        /** The reference group of pre-blended polyols, whose figures need the controlled content. */
        private const val POLYOL_GROUP = "polyol"

        /** The form showing [f]'s current values (net mass typed, not split per cylinder). */
        fun from(f: FindingRecord): FindingForm = FindingForm(
            declaredSubstance = f.declaredSubstance ?: "",
            identifiedSubstance = f.identifiedSubstance ?: "",
            identifiedOther = f.identifiedOther ?: "",
            composition = f.composition.map { ComponentForm(it.component, Numbers.format(it.pct)) },
            contentPct = Numbers.format(f.contentPct),
            instrument = f.identifierReading?.instrument ?: "",
            readingResult = f.identifierReading?.result ?: "",
            purityPct = Numbers.format(f.identifierReading?.purityPct),
            hsCodeObserved = f.hsCodeObserved ?: "",
            cylinders = f.cylinders?.toString() ?: "",
            netMassKg = Numbers.format(f.netMassKg),
            cylinderType = f.cylinderType,
            labels = f.labels ?: "",
            concealment = f.concealment ?: "",
            notes = f.notes ?: "",
        )
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
    /** The core's fields; items with no quantity are left out. */
    fun toFields(original: SeizureRecord? = null): SeizureFields {
        val seized = items.mapNotNull { item ->
            val kg = Numbers.decimal(item.quantityKg, "Seized quantity (kg)") ?: return@mapNotNull null
            SeizedItem(item.findingId, kg, Numbers.count(item.cylinders, "Seized cylinders"))
        }
        val mo = ModusOperandi.entries.filter { it in modusOperandi }
        return SeizureFields(
            caseRef = changed(caseRef, original?.caseRef),
            action = action?.takeIf { it != original?.action },
            legalBasis = changed(legalBasis, original?.legalBasis),
            modusOperandi = mo.takeIf { it != (original?.modusOperandi ?: emptyList<ModusOperandi>()) },
            storageLocation = changed(storageLocation, original?.storageLocation),
            items = seized.takeIf { it != (original?.items ?: emptyList<SeizedItem>()) },
        )
    }

    /** Helpers to fill a form from a stored seizure. */
    companion object {
        /** The form for [s] with one item row per finding in [findings]. */
        fun from(s: SeizureRecord?, findings: List<FindingRecord>): SeizureForm = SeizureForm(
            action = s?.action,
            caseRef = s?.caseRef ?: "",
            legalBasis = s?.legalBasis ?: "",
            modusOperandi = s?.modusOperandi?.toSet() ?: emptySet(),
            storageLocation = s?.storageLocation ?: "",
            items = findings.map { f ->
                val item = s?.items?.firstOrNull { it.findingId == f.id }
                SeizedItemForm(f.id, Numbers.format(item?.quantityKg), item?.cylinders?.toString() ?: "")
            },
        )
    }
}

/** A chain-of-custody hand-over as typed. */
data class CustodyForm(val from: String = "", val to: String = "", val location: String = "", val note: String = "") {
    /** The core's fields; both parties are required. */
    fun toFields(): CustodyFields {
        if (from.isBlank() || to.isBlank()) throw InputException("Custody needs who handed over and who received")
        return CustodyFields(
            from = from.trim(),
            to = to.trim(),
            location = location.trim().ifEmpty { null },
            note = note.trim().ifEmpty { null },
            at = null,
        )
    }
}
