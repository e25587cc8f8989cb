package org.quayside.android.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle

/**
 * Supervisor review, read-only until the review API arrives (issue 5): the station's submitted
 * inspections as this phone has them after its last sync. Tapping one opens it.
 */
@Composable
fun ReviewScreen(vm: ReviewViewModel, onOpen: (String) -> Unit, onBack: () -> Unit) {
    val rows by vm.rows.collectAsStateWithLifecycle()
    val message by vm.message.collectAsStateWithLifecycle()
    Scaffold(
        topBar = {
            BackTopBar("Submitted for review", onBack) {
                IconButton(onClick = vm::refresh) { Icon(Icons.Filled.Refresh, contentDescription = "Reload") }
            }
        },
    ) { padding ->
        Column(Modifier.fillMaxSize().padding(padding)) {
            Text(
                "Approving and returning inspections comes with the review service. Until then this list shows what officers of your station submitted.",
                Modifier.padding(16.dp),
                style = MaterialTheme.typography.bodyMedium,
            )
            message?.let { MessageCard(it) }
            if (rows.isEmpty()) Text("Nothing submitted yet.", Modifier.padding(16.dp))
            LazyColumn {
                items(rows, key = { it.summary.id }) { row ->
                    InspectionRowItem(row, onClick = { onOpen(row.summary.id) })
                    HorizontalDivider()
                }
            }
        }
    }
}
