package org.quayside.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.quayside.shell.Ids
import org.quayside.shell.Recovery
import org.quayside.shell.SyncState
import org.quayside.shell.SyncText
import org.quayside.shell.Text as Words

/** Sync status: what is waiting, live progress, the last result, refusals, and "Sync now". */
@Composable
fun SyncScreen(vm: SyncViewModel, onEnrol: () -> Unit, onBack: () -> Unit) {
    val state by vm.state.collectAsStateWithLifecycle()
    val status by vm.status.collectAsStateWithLifecycle()
    val schedule by vm.schedule.collectAsStateWithLifecycle()
    Scaffold(topBar = { BackTopBar(str("title_sync"), onBack) }) { padding ->
        Column(
            Modifier.fillMaxSize().padding(padding).padding(16.dp).verticalScroll(rememberScrollState()),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            val s = status
            if (s != null) {
                // What waits and when it goes, in the core's words (ENROL / ENROL_AGAIN say to enrol).
                schedule?.let { Text(str(SyncText.pending(it)), style = MaterialTheme.typography.titleMedium) }
                Text(if (s.enrolled) "${s.serverUrl}" + (s.role?.let { " \u00b7 " + str(Words.Core(it.label())) } ?: "") else str("notice_not_enrolled"))
                Text(s.lastSyncAt?.let { str("sync_last", it) } ?: str("sync_last_never"))
            }
            when (val st = state) {
                SyncState.Idle -> Text(str("sync_idle"))
                is SyncState.Running -> {
                    Text(str(SyncText.phase(st.progress)))
                    val fraction = SyncText.fraction(st.progress)
                    if (fraction != null) {
                        LinearProgressIndicator(progress = { fraction }, modifier = Modifier.fillMaxWidth())
                    } else {
                        LinearProgressIndicator(Modifier.fillMaxWidth())
                    }
                }
                is SyncState.Done -> Text(str(SyncText.report(st.report)))
                is SyncState.Failed -> MessageCard(st.problem, action = if (st.problem.recovery == Recovery.ENROL) {
                    { OutlinedButton(onClick = onEnrol) { Text(str("action_enrol")) } }
                } else {
                    null
                })
            }
            if (s != null && s.rejected.isNotEmpty()) {
                SectionTitle(str("marker_refused"))
                for (r in s.rejected) Text("\u2026${Ids.short(r.id)}: ${str(Words.Core(r.message))}")
            }
            if (s != null && !s.enrolled) {
                Button(onClick = onEnrol, modifier = Modifier.fillMaxWidth()) { Text(str("action_enrol_phone")) }
            } else {
                Button(onClick = vm::syncNow, enabled = state !is SyncState.Running, modifier = Modifier.fillMaxWidth()) { Text(str("action_sync_now")) }
            }
        }
    }
}
