package org.quayside.android

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import org.quayside.android.ui.QuaysideNavHost
import org.quayside.android.ui.QuaysideTheme

/** The single activity; every screen is a Compose destination in [QuaysideNavHost]. */
class MainActivity : ComponentActivity() {
    /** Shows the app's navigation graph. */
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        val container = (application as QuaysideApp).container
        setContent {
            QuaysideTheme {
                QuaysideNavHost(container)
            }
        }
    }
}
