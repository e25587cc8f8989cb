package org.quayside.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.quayside.shell.EnrolmentForm
import org.quayside.shell.SetupForm

/** First start: the officer's user name and station (UN/LOCODE) create the store on this phone. */
@Composable
fun SetupScreen(vm: SetupViewModel, onDone: () -> Unit) {
    val busy by vm.busy.collectAsStateWithLifecycle()
    val message by vm.message.collectAsStateWithLifecycle()
    var user by rememberSaveable { mutableStateOf("") }
    var station by rememberSaveable { mutableStateOf("") }
    Scaffold(topBar = { TopAppBar(title = { Text("Set up this phone") }) }) { padding ->
        Column(Modifier.fillMaxSize().padding(padding).padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text(
                "Inspections are kept on this phone and work without a network. Enter your user name and your station as your administrator set them up.",
                style = MaterialTheme.typography.bodyMedium,
            )
            OutlinedTextField(user, { user = it }, label = { Text("User name") }, singleLine = true, modifier = Modifier.fillMaxWidth())
            OutlinedTextField(
                station,
                { station = it },
                label = { Text("Station (UN/LOCODE, e.g. GHTEM)") },
                singleLine = true,
                keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters),
                modifier = Modifier.fillMaxWidth(),
            )
            message?.let { MessageCard(it) }
            Button(onClick = { vm.setUp(SetupForm(user, station), onDone) }, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                Text("Continue")
            }
            if (busy) CircularProgressIndicator()
        }
    }
}

/** Enrolment: the agency server's address and the one-time code from the administrator. */
@Composable
fun EnrolmentScreen(vm: SetupViewModel, onDone: () -> Unit) {
    val busy by vm.busy.collectAsStateWithLifecycle()
    val message by vm.message.collectAsStateWithLifecycle()
    var url by rememberSaveable { mutableStateOf("") }
    var code by rememberSaveable { mutableStateOf("") }
    Scaffold(topBar = { TopAppBar(title = { Text("Enrol with the agency server") }) }) { padding ->
        Column(Modifier.fillMaxSize().padding(padding).padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text(
                "Your administrator gives you the server address and a one-time code. You can record inspections before enrolling; they are sent once the phone is enrolled.",
                style = MaterialTheme.typography.bodyMedium,
            )
            OutlinedTextField(
                url,
                { url = it },
                label = { Text("Server address") },
                singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
                modifier = Modifier.fillMaxWidth(),
            )
            OutlinedTextField(
                code,
                { code = it },
                label = { Text("Enrolment code (ABCD-EFGH-JKLM)") },
                singleLine = true,
                keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters),
                modifier = Modifier.fillMaxWidth(),
            )
            message?.let { MessageCard(it) }
            Button(onClick = { vm.enrol(EnrolmentForm(url, code), onDone) }, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                Text("Enrol")
            }
            TextButton(onClick = onDone, enabled = !busy, modifier = Modifier.fillMaxWidth()) { Text("Later") }
            if (busy) CircularProgressIndicator()
        }
    }
}
