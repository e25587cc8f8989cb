package org.quayside.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.quayside.shell.Ids
import org.quayside.shell.KeyChange
import org.quayside.shell.Recovery
import org.quayside.shell.SyncState
import org.quayside.shell.SyncText
import org.quayside.shell.Text as Words

/**
 * Sync status: what is waiting, live progress, the last result, refusals, and "Sync now". Also
 * where the phone's settings are: re-encrypting its data under a new key ([KeyChangeSection]).
 */
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
            KeyChangeSection(vm)
        }
    }
}

/**
 * "Re-encrypt this phone's data with a new key", for when the agency's policy or its device
 * manager asks for it (say, after the phone was out of the officer's hands): a confirmation saying
 * it takes a moment and must not be interrupted, progress while it runs, then the result. The
 * repository runs it off the main thread, after a running sync, and keeps both keys until the
 * store has the new one, so even an interruption loses nothing.
 */
@Composable
private fun KeyChangeSection(vm: SyncViewModel) {
    val keyChange by vm.keyChange.collectAsStateWithLifecycle()
    var confirm by rememberSaveable { mutableStateOf(false) }
    SectionTitle(str("title_store_key"))
    Text(str("key_change_intro"), style = MaterialTheme.typography.bodySmall)
    when (val k = keyChange) {
        KeyChange.Idle -> Unit
        KeyChange.Running -> {
            Text(str("key_change_running"))
            LinearProgressIndicator(Modifier.fillMaxWidth())
        }
        KeyChange.Done -> Text(str("key_change_done"))
        is KeyChange.Failed -> {
            Text(str("key_change_failed"))
            MessageCard(k.problem)
        }
    }
    OutlinedButton(onClick = { confirm = true }, enabled = keyChange != KeyChange.Running, modifier = Modifier.fillMaxWidth()) {
        Text(str("action_key_change"))
    }
    if (confirm) {
        AlertDialog(
            onDismissRequest = { confirm = false },
            title = { Text(str("key_change_title")) },
            text = { Text(str("key_change_text")) },
            confirmButton = { TextButton(onClick = { confirm = false; vm.changeKey() }) { Text(str("action_key_change_confirm")) } },
            dismissButton = { TextButton(onClick = { confirm = false }) { Text(str("action_cancel")) } },
        )
    }
}
