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
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.quayside.shell.ReviewBadge
import org.quayside.shell.ReviewNotice
import org.quayside.shell.RowMarker
import org.quayside.shell.UserMessage

/** A top bar with a back arrow. */
@Composable
fun BackTopBar(title: String, onBack: () -> Unit, actions: @Composable () -> Unit = {}) {
    TopAppBar(
        title = { Text(title) },
        navigationIcon = {
            IconButton(onClick = onBack) { Icon(Icons.AutoMirrored.Filled.ArrowBack, contentDescription = "Back") }
        },
        actions = { actions() },
    )
}

/** An error card: title, what to do, and a dismiss button when [onDismiss] is given. */
@Composable
fun MessageCard(message: UserMessage, onDismiss: (() -> Unit)? = null, action: (@Composable () -> Unit)? = null) {
    Card(
        modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp),
        colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer),
    ) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(message.title, style = MaterialTheme.typography.titleSmall, color = MaterialTheme.colorScheme.onErrorContainer)
            Text(message.text, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onErrorContainer)
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.End) {
                action?.invoke()
                if (onDismiss != null) TextButton(onClick = onDismiss) { Text("Dismiss") }
            }
        }
    }
}

/** A whole screen showing one message (the store could not be opened). */
@Composable
fun MessageScreen(message: UserMessage) {
    Column(Modifier.fillMaxSize().padding(24.dp), verticalArrangement = Arrangement.Center, horizontalAlignment = Alignment.CenterHorizontally) {
        MessageCard(message)
    }
}

/** The markers of a list row as small chips, led by the review badge when there is one. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun MarkerChips(markers: Set<RowMarker>, refusal: String?, review: ReviewBadge? = null) {
    val showReview = review != null && review != ReviewBadge.DRAFT
    if (markers.isEmpty() && !showReview) return
    FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        if (showReview) ReviewBadgeChip(review!!)
        for (m in RowMarker.entries.filter { it in markers }) {
            val (label, danger) = when (m) {
                RowMarker.CONFLICT -> "Conflict" to true
                RowMarker.FLAGGED -> "Flagged" to true
                RowMarker.REFUSED -> ("Refused: " + (refusal ?: "by the server")) to true
                RowMarker.NOT_SYNCED -> "Not yet synced" to false
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
fun ReviewBadgeChip(badge: ReviewBadge) {
    val container = when {
        badge == ReviewBadge.APPROVED -> MaterialTheme.colorScheme.primaryContainer
        badge == ReviewBadge.RETURNED || badge == ReviewBadge.CHANGED_SINCE_SUBMISSION || badge == ReviewBadge.CHANGED_SINCE_APPROVAL ->
            MaterialTheme.colorScheme.tertiaryContainer
        badge.needsAction -> MaterialTheme.colorScheme.secondaryContainer
        else -> MaterialTheme.colorScheme.surfaceVariant
    }
    AssistChip(
        onClick = {},
        label = { Text(badge.label, maxLines = 1) },
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
            Text(notice.title, style = MaterialTheme.typography.titleSmall)
            if (notice.text.isNotEmpty()) Text(notice.text, style = MaterialTheme.typography.bodyMedium)
        }
    }
}

/** A section heading inside a long form. */
@Composable
fun SectionTitle(text: String) {
    Text(text, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp, bottom = 4.dp))
}
