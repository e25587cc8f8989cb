package org.quayside.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import com.google.mlkit.vision.barcode.common.Barcode
import com.google.mlkit.vision.codescanner.GmsBarcodeScannerOptions
import com.google.mlkit.vision.codescanner.GmsBarcodeScanning
import org.quayside.shell.EnrolmentForm
import org.quayside.shell.SetupForm

/** First start: the officer's user name and station (UN/LOCODE) create the store on this phone. */
@Composable
fun SetupScreen(vm: SetupViewModel, onDone: () -> Unit) {
    val busy by vm.busy.collectAsStateWithLifecycle()
    val message by vm.message.collectAsStateWithLifecycle()
    val notice by vm.notice.collectAsStateWithLifecycle()
    var user by rememberSaveable { mutableStateOf("") }
    var station by rememberSaveable { mutableStateOf("") }
    Scaffold(topBar = { TopAppBar(title = { Text(str("title_setup")) }) }) { padding ->
        Column(Modifier.fillMaxSize().padding(padding).padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            // Set up again after an administrator's wipe: say why the phone is empty.
            notice?.let { wiped ->
                Card(
                    modifier = Modifier.fillMaxWidth(),
                    colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer),
                ) {
                    Text(
                        str(wiped),
                        Modifier.padding(16.dp),
                        style = MaterialTheme.typography.bodyMedium,
                        color = MaterialTheme.colorScheme.onErrorContainer,
                    )
                }
            }
            Text(
                str("setup_intro"),
                style = MaterialTheme.typography.bodyMedium,
            )
            OutlinedTextField(user, { user = it }, label = { Text(str("field_user")) }, singleLine = true, modifier = Modifier.fillMaxWidth())
            OutlinedTextField(
                station,
                { station = it },
                label = { Text(str("field_station")) },
                singleLine = true,
                keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters),
                modifier = Modifier.fillMaxWidth(),
            )
            message?.let { MessageCard(it) }
            Button(onClick = { vm.setUp(SetupForm(user, station), onDone) }, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                Text(str("action_continue"))
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
    var pin by rememberSaveable { mutableStateOf("") }
    var caPem by rememberSaveable { mutableStateOf("") }
    val context = androidx.compose.ui.platform.LocalContext.current
    // The agency's CA certificate, when its server is not vouched for by the phone's trust store: a PEM file picked on the phone.
    val pickCa = androidx.activity.compose.rememberLauncherForActivityResult(androidx.activity.result.contract.ActivityResultContracts.OpenDocument()) { uri ->
        if (uri != null) {
            caPem = runCatching { context.contentResolver.openInputStream(uri)?.use { it.readBytes().decodeToString() } }.getOrNull().orEmpty()
        }
    }
    // The QR code on the administrator's enrolment page, read by Google's code scanner (its own camera screen; no permission needed).
    val scanner = remember(context) {
        GmsBarcodeScanning.getClient(context, GmsBarcodeScannerOptions.Builder().setBarcodeFormats(Barcode.FORMAT_QR_CODE).build())
    }
    Scaffold(topBar = { TopAppBar(title = { Text(str("title_enrol")) }) }) { padding ->
        Column(Modifier.fillMaxSize().padding(padding).padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text(
                str("enrol_intro"),
                style = MaterialTheme.typography.bodyMedium,
            )
            OutlinedButton(
                onClick = {
                    scanner.startScan()
                        .addOnSuccessListener { barcode ->
                            vm.scanned(EnrolmentForm(url, code, caPem, pin), barcode.rawValue.orEmpty()) { filled ->
                                url = filled.serverUrl
                                code = filled.code
                            }
                        }
                        .addOnFailureListener { vm.scanUnavailable() }
                },
                enabled = !busy,
                modifier = Modifier.fillMaxWidth(),
            ) {
                Text(str("action_scan_enrolment"))
            }
            OutlinedTextField(
                url,
                { url = it },
                label = { Text(str("field_server")) },
                singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri),
                modifier = Modifier.fillMaxWidth(),
            )
            OutlinedTextField(
                code,
                { code = it },
                label = { Text(str("field_code")) },
                singleLine = true,
                keyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Characters),
                modifier = Modifier.fillMaxWidth(),
            )
            OutlinedTextField(pin, { pin = it }, label = { Text(str("field_pin")) }, singleLine = true, modifier = Modifier.fillMaxWidth())
            OutlinedButton(onClick = { pickCa.launch(arrayOf("application/x-pem-file", "application/x-x509-ca-cert", "text/plain", "*/*")) }, modifier = Modifier.fillMaxWidth()) {
                Text(str("action_pick_ca") + if (caPem.isNotBlank()) " \u2713" else "")
            }
            message?.let { MessageCard(it) }
            Button(onClick = { vm.enrol(EnrolmentForm(url, code, caPem, pin), onDone) }, enabled = !busy, modifier = Modifier.fillMaxWidth()) {
                Text(str("action_enrol"))
            }
            TextButton(onClick = onDone, enabled = !busy, modifier = Modifier.fillMaxWidth()) { Text(str("action_later")) }
            if (busy) CircularProgressIndicator()
        }
    }
}
