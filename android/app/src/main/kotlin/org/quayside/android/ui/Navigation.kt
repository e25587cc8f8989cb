package org.quayside.android.ui

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.compose.LocalLifecycleOwner
import androidx.lifecycle.repeatOnLifecycle
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.createSavedStateHandle
import androidx.lifecycle.viewmodel.compose.viewModel
import androidx.navigation.NavHostController
import androidx.navigation.NavType
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import androidx.navigation.navArgument
import org.quayside.android.AppContainer
import org.quayside.android.StoreState
import org.quayside.shell.InspectionRepository
import org.quayside.shell.Roles

/** Route names of the app's screens. */
object Routes {
    /** First start: whose phone this is. */
    const val SETUP = "setup"

    /** Server address and one-time code. */
    const val ENROL = "enrol"

    /** The officer's inspections. */
    const val LIST = "list"

    /** The editor; `?id=` opens an existing inspection, none starts a new one. */
    const val EDITOR = "editor?id={id}"

    /** Supervisor review: the queue, one inspection, approve or return. */
    const val REVIEW = "review"

    /** Sync status and progress. */
    const val SYNC = "sync"

    /** The editor route for inspection [id], or a new inspection when `null`. */
    fun editor(id: String?): String = if (id == null) "editor" else "editor?id=$id"
}

/** The navigation graph; waits for the store to open and starts at set-up when there is none. */
@Composable
fun QuaysideNavHost(container: AppContainer, nav: NavHostController = rememberNavController()) {
    CompositionLocalProvider(LocalLocalizer provides container.localizer) { NavGraph(container, nav) }
}

@Composable
private fun NavGraph(container: AppContainer, nav: NavHostController) {
    val store by container.state.collectAsStateWithLifecycle()
    when (val s = store) {
        StoreState.Opening -> Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
        is StoreState.Broken -> MessageScreen(s.problem)
        StoreState.NeedsSetup, is StoreState.Ready -> {
            // Decided once: set-up turning the store Ready must not rebuild the graph mid-flow.
            val start = remember { if (s is StoreState.Ready) Routes.LIST else Routes.SETUP }
            NavHost(navController = nav, startDestination = start) {
                composable(Routes.SETUP) {
                    val vm: SetupViewModel = viewModel { SetupViewModel(container) }
                    SetupScreen(vm, onDone = {
                        nav.navigate(Routes.ENROL) { popUpTo(Routes.SETUP) { inclusive = true } }
                    })
                }
                composable(Routes.ENROL) {
                    val vm: SetupViewModel = viewModel { SetupViewModel(container) }
                    EnrolmentScreen(vm, onDone = {
                        // Opened from the sync screen: go back there. Right after set-up: on to the list.
                        if (nav.previousBackStackEntry != null) {
                            nav.popBackStack()
                        } else {
                            nav.navigate(Routes.LIST) { popUpTo(Routes.ENROL) { inclusive = true } }
                        }
                    })
                }
                composable(Routes.LIST) {
                    WithRepository(store) { repo ->
                        // The role is read fresh from the core (sync_status) on every resume and
                        // after every sync, never remembered: a re-enrolment or a role change shows at once.
                        val status by repo.syncStatus.collectAsStateWithLifecycle()
                        val lifecycle = LocalLifecycleOwner.current.lifecycle
                        LaunchedEffect(repo) {
                            lifecycle.repeatOnLifecycle(Lifecycle.State.RESUMED) { runCatching { repo.refreshSyncStatus() } }
                        }
                        val vm: ListViewModel = viewModel { ListViewModel(repo) }
                        InspectionListScreen(
                            vm,
                            startNotice = container.startNotice,
                            onDismissStartNotice = container::dismissStartNotice,
                            showReview = Roles.showsReview(status),
                            onOpen = { id -> nav.navigate(Routes.editor(id)) },
                            onNew = { nav.navigate(Routes.editor(null)) },
                            onSync = { nav.navigate(Routes.SYNC) },
                            onReview = { nav.navigate(Routes.REVIEW) },
                        )
                    }
                }
                composable(
                    Routes.EDITOR,
                    arguments = listOf(navArgument("id") { type = NavType.StringType; nullable = true; defaultValue = null }),
                ) { entry ->
                    val id = entry.arguments?.getString("id")
                    WithRepository(store) { repo ->
                        val context = androidx.compose.ui.platform.LocalContext.current.applicationContext
                        // Ask once for location: a new inspection records where it was started.
                        val askLocation = androidx.activity.compose.rememberLauncherForActivityResult(
                            androidx.activity.result.contract.ActivityResultContracts.RequestMultiplePermissions(),
                        ) { }
                        LaunchedEffect(Unit) { if (id == null) askLocation.launch(org.quayside.android.DeviceLocation.PERMISSIONS) }
                        val vm: EditorViewModel = viewModel {
                            EditorViewModel(repo, id, createSavedStateHandle(), location = { org.quayside.android.DeviceLocation.current(context) })
                        }
                        InspectionEditorScreen(vm, onBack = { nav.popBackStack() })
                    }
                }
                composable(Routes.REVIEW) {
                    WithRepository(store) { repo ->
                        val vm: ReviewViewModel = viewModel { ReviewViewModel(repo) }
                        ReviewScreen(vm, onBack = { nav.popBackStack() })
                    }
                }
                composable(Routes.SYNC) {
                    WithRepository(store) { repo ->
                        val vm: SyncViewModel = viewModel { SyncViewModel(repo) }
                        SyncScreen(vm, onEnrol = { nav.navigate(Routes.ENROL) }, onBack = { nav.popBackStack() })
                    }
                }
            }
            // An administrator's wipe deleted the store (AppContainer went back to NeedsSetup):
            // set-up again, whatever screen was open, with nothing to go back to.
            LaunchedEffect(s) {
                if (s is StoreState.NeedsSetup && nav.currentDestination?.route != Routes.SETUP) {
                    nav.navigate(Routes.SETUP) { popUpTo(nav.graph.id) { inclusive = true } }
                }
            }
        }
    }
}

/** Shows [content] once the store is open (it is, past set-up). */
@Composable
private fun WithRepository(store: StoreState, content: @Composable (InspectionRepository) -> Unit) {
    if (store is StoreState.Ready) content(store.repository)
    else Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
}
