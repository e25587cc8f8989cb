package org.quayside.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Add
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material.icons.filled.Search
import androidx.compose.material.icons.filled.Person
import androidx.compose.material3.Card
import androidx.compose.material3.ExtendedFloatingActionButton
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.material3.TextButton
import kotlinx.coroutines.flow.StateFlow
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.quayside.shell.InspectionRow
import org.quayside.shell.label
import org.quayside.shell.Text as Words

/**
 * The officer's inspections, newest first: a banner with what is not yet on the server (tap for
 * the sync screen), a search by container or substance, and rows with their review state and
 * marked for conflicts, flags, refusals and changes not yet on the server.
 */
@Composable
fun InspectionListScreen(
    vm: ListViewModel,
    startNotice: StateFlow<Words?>,
    onDismissStartNotice: () -> Unit,
    showReview: Boolean,
    onOpen: (String) -> Unit,
    onNew: () -> Unit,
    onSync: () -> Unit,
    onReview: () -> Unit,
) {
    val state by vm.state.collectAsStateWithLifecycle()
    val recovered by startNotice.collectAsStateWithLifecycle()
    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text(str("title_inspections")) },
                actions = {
                    if (showReview) IconButton(onClick = onReview) { Icon(Icons.Filled.Person, contentDescription = str("title_review_queue")) }
                    IconButton(onClick = onSync) { Icon(Icons.Filled.Refresh, contentDescription = str("title_sync")) }
                },
            )
        },
        floatingActionButton = {
            ExtendedFloatingActionButton(
                onClick = onNew,
                icon = { Icon(Icons.Filled.Add, contentDescription = null) },
                text = { Text(str("title_new_inspection")) },
            )
        },
    ) { padding ->
        Column(Modifier.fillMaxSize().padding(padding)) {
            recovered?.let { notice ->
                Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 8.dp)) {
                    Text(str(notice), Modifier.padding(12.dp), style = MaterialTheme.typography.bodyMedium)
                    TextButton(onClick = onDismissStartNotice) { Text(str("action_dismiss")) }
                }
            }
            state.pending?.let { pending ->
                Card(Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 8.dp).clickable(onClick = onSync)) {
                    Text(str(pending), Modifier.padding(12.dp), style = MaterialTheme.typography.bodyMedium)
                }
            }
            OutlinedTextField(
                value = state.query,
                onValueChange = vm::search,
                leadingIcon = { Icon(Icons.Filled.Search, contentDescription = null) },
                label = { Text(str("field_search")) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth().padding(horizontal = 16.dp),
            )
            if (state.loading) LinearProgressIndicator(Modifier.fillMaxWidth().padding(top = 8.dp))
            state.message?.let { MessageCard(it) }
            if (!state.loading && state.rows.isEmpty()) {
                Text(
                    if (state.query.isBlank()) str("list_empty") else str("list_no_match", state.query),
                    Modifier.padding(16.dp),
                    style = MaterialTheme.typography.bodyMedium,
                )
            }
            LazyColumn(Modifier.fillMaxSize()) {
                items(state.rows, key = { it.summary.id }) { row ->
                    InspectionRowItem(row, onClick = { onOpen(row.summary.id) })
                    HorizontalDivider()
                }
                // Never silently cut at one page: more rows load on request.
                if (state.hasMore) item {
                    TextButton(onClick = vm::loadMore, modifier = Modifier.fillMaxWidth().padding(8.dp)) { Text(str("action_load_more")) }
                }
            }
        }
    }
}

/** One inspection: headline figures, officer, date, review badge, and markers (conflict, flags, refused, not yet synced). */
@Composable
fun InspectionRowItem(row: InspectionRow, onClick: () -> Unit) {
    val s = row.summary
    ListItem(
        modifier = Modifier.clickable(onClick = onClick),
        headlineContent = { Text(str(row.headline)) },
        supportingContent = {
            Column {
                Text(str("list_row_details", s.officer, s.station, s.createdAt.take(10), s.findingCount, s.photoCount))
                s.seizureAction?.let { Text(str("list_row_seizure", str(it.label))) }
                MarkerChips(row.markers, row.refusal, row.review)
            }
        },
    )
}
