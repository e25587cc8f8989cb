package org.quayside.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.ArrowBack
import androidx.compose.material3.AssistChip
import androidx.compose.material3.AssistChipDefaults
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.quayside.core.FindingRecord
import org.quayside.core.ReviewState
import org.quayside.core.UserMessage
import org.quayside.shell.Localizer
import org.quayside.shell.Problem
import org.quayside.shell.ReviewNotice
import org.quayside.shell.RowMarker
import org.quayside.shell.Figures
import org.quayside.shell.badge
import org.quayside.shell.label
import org.quayside.shell.text
import org.quayside.shell.Text as Words

/** The app's [Localizer] (string resources), provided by [QuaysideNavHost]. */
val LocalLocalizer = staticCompositionLocalOf<Localizer> { error("no Localizer provided") }

/** [words] in the device's language. */
@Composable
@ReadOnlyComposable
fun str(words: Words): String = LocalLocalizer.current.render(words)

/** The core's [message] in the device's language. */
@Composable
@ReadOnlyComposable
fun str(message: UserMessage): String = LocalLocalizer.current.text(message)

/** The core's [parts] (a finding's title) in the device's language, joined. */
@Composable
@ReadOnlyComposable
fun str(parts: List<UserMessage>): String = LocalLocalizer.current.render(text(parts))

/** The app's string [id] (a resource name), formatted with [args]. */
@Composable
@ReadOnlyComposable
fun str(id: String, vararg args: Any): String = LocalLocalizer.current.shell(id, args.map { it.toString() })

/** A top bar with a back arrow. */
@Composable
fun BackTopBar(title: String, onBack: () -> Unit, actions: @Composable () -> Unit = {}) {
    TopAppBar(
        title = { Text(title) },
        navigationIcon = {
            IconButton(onClick = onBack) { Icon(Icons.AutoMirrored.Filled.ArrowBack, contentDescription = str("action_back")) }
        },
        actions = { actions() },
    )
}

/** A problem card: the field concerned, what happened and what to do, and a dismiss button when [onDismiss] is given. */
@Composable
fun MessageCard(message: Problem, onDismiss: (() -> Unit)? = null, action: (@Composable () -> Unit)? = null) {
    Card(
        modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp),
        colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer),
    ) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            message.field?.let { Text(str(it), style = MaterialTheme.typography.titleSmall, color = MaterialTheme.colorScheme.onErrorContainer) }
            Text(str(message.message), style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onErrorContainer)
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.End) {
                action?.invoke()
                if (onDismiss != null) TextButton(onClick = onDismiss) { Text(str("action_dismiss")) }
            }
        }
    }
}

/** A whole screen showing one message (the store could not be opened). */
@Composable
fun MessageScreen(message: Problem) {
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.Center, horizontalAlignment = Alignment.CenterHorizontally) {
        MessageCard(message)
    }
}

/** The markers of a list row as small chips, led by the review badge when there is one. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun MarkerChips(markers: Set<RowMarker>, refusal: Words?, review: ReviewState? = null) {
    val showReview = review != null && review != ReviewState.DRAFT
    if (markers.isEmpty() && !showReview) return
    FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        if (showReview) ReviewBadgeChip(review!!)
        for (m in RowMarker.entries.filter { it in markers }) {
            val (label, danger) = when (m) {
                RowMarker.CONFLICT -> str("marker_conflict") to true
                RowMarker.FLAGGED -> str("marker_flagged") to true
                RowMarker.REFUSED -> (refusal?.let { str(it) } ?: str("marker_refused")) to true
                RowMarker.NOT_SYNCED -> str("marker_not_synced") to false
            }
            AssistChip(
                onClick = {},
                label = { Text(label, maxLines = 1) },
                colors = if (danger) {
                    AssistChipDefaults.assistChipColors(containerColor = MaterialTheme.colorScheme.errorContainer)
                } else {
                    AssistChipDefaults.assistChipColors()
                },
            )
        }
    }
}

/** A review state as a chip: approved in the primary colour, states needing action highlighted. */
@Composable
fun ReviewBadgeChip(badge: ReviewState) {
    val container = when (badge) {
        ReviewState.APPROVED -> MaterialTheme.colorScheme.primaryContainer
        ReviewState.RETURNED, ReviewState.CHANGED_SINCE_SUBMISSION, ReviewState.CHANGED_SINCE_APPROVAL -> MaterialTheme.colorScheme.tertiaryContainer
        ReviewState.AWAITING_REVIEW -> MaterialTheme.colorScheme.secondaryContainer
        ReviewState.DRAFT -> MaterialTheme.colorScheme.surfaceVariant
    }
    AssistChip(
        onClick = {},
        label = { Text(str(badge.badge), maxLines = 1) },
        colors = AssistChipDefaults.assistChipColors(containerColor = container),
    )
}

/** The review banner of an inspection: state, the supervisor's comment, what to do next. */
@Composable
fun ReviewNoticeCard(notice: ReviewNotice) {
    val colors = if (notice.attention) {
        CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.tertiaryContainer)
    } else {
        CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.primaryContainer)
    }
    Card(modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp), colors = colors) {
        Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(str(notice.title), style = MaterialTheme.typography.titleSmall)
            Text(str(notice.text), style = MaterialTheme.typography.bodyMedium)
            notice.comment?.let { Text("\u201c$it\u201d", style = MaterialTheme.typography.bodyMedium) }
            for (w in notice.warnings) Text(str(w), style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.error)
        }
    }
}

/** "Restored unsaved changes", with a button to discard them. */
@Composable
fun RestoredDraftNotice(onDiscard: () -> Unit, onDismiss: () -> Unit) {
    Card(modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp), colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.secondaryContainer)) {
        Row(Modifier.padding(12.dp), verticalAlignment = Alignment.CenterVertically) {
            Text(str("notice_restored_draft"), Modifier.weight(1f), style = MaterialTheme.typography.bodyMedium)
            TextButton(onClick = onDiscard) { Text(str("action_discard_draft")) }
            TextButton(onClick = onDismiss) { Text(str("action_dismiss")) }
        }
    }
}

/** A decision in a history list: when, who, the decision (the core's label), the comment, whether the signature verifies. */
@Composable
fun DecisionLineText(line: org.quayside.shell.DecisionLine) {
    val verified = if (line.verified) "\u2713" else "\u26a0"
    Text(
        "${line.at} \u00b7 ${line.reviewer} \u00b7 ${str(line.decision)} $verified" + (if (line.comment.isNotEmpty()) ": \u201c${line.comment}\u201d" else ""),
        style = MaterialTheme.typography.bodySmall,
    )
}

/** A finding's cylinders, cylinder type, net mass and purity as one line: "12 cylinders · Disposable cylinder · 163.2 kg net · purity 99.5 %". */
@Composable
@ReadOnlyComposable
fun findingFacts(f: FindingRecord): String = listOfNotNull(
    f.cylinders?.let { str("finding_cylinders", it) },
    f.cylinderType?.let { str(it.label) },
    f.netMassKg?.let { str("finding_net_kg", Figures.fmt(it, 1)) },
    f.identifierReading?.purityPct?.let { str("finding_purity", Figures.fmt(it, 1)) },
).joinToString(" \u00b7 ")

/** A custody hand-over as one line: "[at]: [from] → [to]", and " at [location]" when there is one. */
@Composable
@ReadOnlyComposable
fun custodyLine(at: String, from: String, to: String, location: String?): String =
    if (location != null) str("custody_line_at", at, from, to, location) else str("custody_line", at, from, to)

/** A section heading inside a long form. */
@Composable
fun SectionTitle(text: String) {
    Text(text, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp, bottom = 4.dp))
}
