package org.quayside.shell

import java.io.File
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import org.quayside.core.CustodyFields
import org.quayside.core.DraftRecord
import org.quayside.core.RecoveredPhoto
import org.quayside.core.ServerTrust
import org.quayside.core.SyncSchedule
import org.quayside.core.ElementList
import org.quayside.core.EnrolmentLink
import org.quayside.core.EnrollmentRecord
import org.quayside.core.FieldStore
import org.quayside.core.FieldStoreInterface
import org.quayside.core.FindingAdded
import org.quayside.core.FindingFields
import org.quayside.core.HistoryRecord
import org.quayside.core.InspectionFields
import org.quayside.core.InspectionFilter
import org.quayside.core.InspectionSummary
import org.quayside.core.InspectionView
import org.quayside.core.PhotoAdded
import org.quayside.core.PhotoEdit
import org.quayside.core.PhotoFields
import org.quayside.core.ReviewRecord
import org.quayside.core.SeizureFields
import org.quayside.core.SyncObserver
import org.quayside.core.SyncProgressRecord
import org.quayside.core.SyncReportRecord
import org.quayside.core.SyncStatusRecord

/**
 * The one gateway from the screens to the core's [FieldStore]. Every call runs on [io] (the core
 * does disk and network I/O and must never run on the main thread). After each local edit,
 * [revision] moves on; after each edit and each sync, the core's [SyncSchedule] goes to
 * [onSchedule] (the Android app hands it to WorkManager). The shell keeps no retry policy of its
 * own: the core records every sync attempt and says when to try next.
 *
 * A sync that reports the store wiped by an administrator (`SyncReportRecord.wiped`) closes the
 * store, has [wipe] forget its key, and sets [wiped]: the app drops this repository and shows set-up.
 *
 * Syncs and key changes ([changeKey]) are exclusive work: one at a time, each waiting for the other.
 */
class InspectionRepository(
    private val store: FieldStoreInterface,
    private val io: CoroutineDispatcher = Dispatchers.IO,
    /** Called with the core's schedule after every local edit and every sync. */
    private val onSchedule: (SyncSchedule) -> Unit = {},
    /** Forgets the store's key after an administrator's wipe (see [wiped]); `null` where no key is kept. */
    private val wipe: StoreWipe? = null,
    /** Keeps the store's key, for [changeKey]; `null` where no key is kept (then [changeKey] fails). */
    private val keys: StoreKeyKeeper? = null,
) : AutoCloseable {
    private val _revision = MutableStateFlow(0L)
    private val _syncState = MutableStateFlow<SyncState>(SyncState.Idle)
    private val _syncStatus = MutableStateFlow<SyncStatusRecord?>(null)
    private val _wiped = MutableStateFlow(false)
    private val _keyChange = MutableStateFlow<KeyChange>(KeyChange.Idle)

    /** Held by a sync or a key change: the store's exclusive work runs one at a time. */
    private val exclusive = Mutex()

    /** Moves on after every local edit and every sync that received changes; lists reload on it. */
    val revision: StateFlow<Long> = _revision.asStateFlow()

    /** The running or last sync, with live progress. */
    val syncState: StateFlow<SyncState> = _syncState.asStateFlow()

    /** What is not yet on the server; `null` until first read by [refreshSyncStatus]. */
    val syncStatus: StateFlow<SyncStatusRecord?> = _syncStatus.asStateFlow()

    /**
     * `true` once a sync reported that an administrator revoked this phone with wipe: the core
     * pushed what the server accepts and deleted the store directory; this repository has closed
     * the store (every later call fails) and [wipe] has forgotten its key. The app drops it and
     * shows set-up with [StoreWipe.notice].
     */
    val wiped: StateFlow<Boolean> = _wiped.asStateFlow()

    /** The running or last key change ([changeKey]). */
    val keyChange: StateFlow<KeyChange> = _keyChange.asStateFlow()

    /** Inspections matching [filter], newest first (a page of `filter.limit` rows from `filter.offset`). */
    suspend fun list(filter: InspectionFilter = InspectionFilter()): List<InspectionSummary> = call { store.listInspections(filter) }

    /** One inspection with its figures, flags, conflicts and the heads of the version read (what a review names). */
    suspend fun get(id: String): InspectionView = call { store.getInspection(id) }

    /** Who changed what, from which device, when; oldest first. */
    suspend fun history(id: String): List<HistoryRecord> = call { store.history(id) }

    /** Starts an inspection. */
    suspend fun create(fields: InspectionFields): InspectionView = edit { store.createInspection(fields) }

    /**
     * Changes an inspection's own fields as edited in a form filled from the version [basedOn] (the
     * `heads` of the view the form was filled from): the core writes only what differs from it.
     */
    suspend fun update(id: String, fields: InspectionFields, basedOn: List<String>): InspectionView =
        edit { store.updateInspection(id, fields, basedOn) }

    /** Adds a finding. */
    suspend fun addFinding(id: String, fields: FindingFields): FindingAdded = edit { store.addFinding(id, fields) }

    /** Changes a finding as edited in a form filled from [basedOn]. */
    suspend fun updateFinding(id: String, findingId: String, fields: FindingFields, basedOn: List<String>): InspectionView =
        edit { store.updateFinding(id, findingId, fields, basedOn) }

    /** Removes a finding no photo or seized item refers to. */
    suspend fun removeFinding(id: String, findingId: String): InspectionView = edit { store.removeFinding(id, findingId) }

    /**
     * Removes an element of [list] (a finding, photo, seized item or custody entry). The core keeps
     * it hidden: a removal that raced a colleague's edit shows as a `RemovedWhileEdited` conflict,
     * and removing it again confirms the removal.
     */
    suspend fun removeElement(id: String, list: ElementList, elementId: String): InspectionView =
        edit { store.removeElement(id, list, elementId) }

    /** Brings back a removed element of [list] with every edit made to it (settles a `RemovedWhileEdited` conflict). */
    suspend fun restoreElement(id: String, list: ElementList, elementId: String): InspectionView =
        edit { store.restoreElement(id, list, elementId) }

    /** Attaches a photo from bytes. */
    suspend fun addPhoto(id: String, bytes: ByteArray, fields: PhotoFields): PhotoAdded = edit { store.addPhoto(id, bytes, fields) }

    /**
     * Keeps the camera's [bytes] (held in memory, never written in the clear) of a new photo of
     * inspection [id] in the store's photo inbox, sealed under the store key and on disk before
     * this returns; returns the inbox file. Call it the moment the shutter returns, then
     * [attachPhotoFile]; a photo kept but never attached is attached by [recoverPhotos] at the next start.
     */
    suspend fun keepCameraPhoto(id: String, bytes: ByteArray, extension: String = "jpg"): File =
        call { File(store.keepCameraPhoto(id, bytes, extension)) }

    /** Attaches the photo kept in [file] (from [keepCameraPhoto]); the core removes the inbox file. */
    suspend fun attachPhotoFile(file: File, fields: PhotoFields): PhotoAdded = edit { store.attachPhotoFile(file.absolutePath, fields) }

    /** Attaches every photo a killed app left in the inbox; call once at start. */
    suspend fun recoverPhotos(): List<RecoveredPhoto> {
        val found = call { store.recoverPhotos() }
        if (found.any { it is RecoveredPhoto.Attached }) afterEdit()
        return found
    }

    /** Changes a photo's caption or the finding it shows (`""` clears either), as edited from [basedOn]. */
    suspend fun updatePhoto(id: String, sha256: String, fields: PhotoEdit, basedOn: List<String>): InspectionView =
        edit { store.updatePhoto(id, sha256, fields, basedOn) }

    /** A photo's bytes, verified against its SHA-256. */
    suspend fun readPhoto(sha256: String): ByteArray = call { store.readPhoto(sha256) }

    /** Records or changes the seizure as edited in a form filled from [basedOn]. */
    suspend fun setSeizure(id: String, fields: SeizureFields, basedOn: List<String>): InspectionView =
        edit { store.setSeizure(id, fields, basedOn) }

    /** Appends a chain-of-custody hand-over. */
    suspend fun addCustody(id: String, entry: CustodyFields): InspectionView = edit { store.addCustody(id, entry) }

    /** Corrects custody entry [entryId]; what it said before stays in the history. */
    suspend fun correctCustody(id: String, entryId: String, entry: CustodyFields, basedOn: List<String>): InspectionView =
        edit { store.correctCustody(id, entryId, entry, basedOn) }

    /** Keeps what is typed in form [form] (see [FormKeys]), filled from [basedOn]. */
    suspend fun saveDraft(form: String, inspectionId: String?, basedOn: List<String>, fields: Map<String, String>): DraftRecord =
        call { store.saveDraft(form, inspectionId, basedOn, fields) }

    /** The kept draft of [form], if any. */
    suspend fun draft(form: String): DraftRecord? = call { store.draft(form) }

    /** Every kept draft, oldest first. */
    suspend fun drafts(): List<DraftRecord> = call { store.drafts() }

    /** Forgets the draft of [form] (after a save, or when the officer discards it). */
    suspend fun discardDraft(form: String) = call { store.discardDraft(form) }

    /**
     * Submits the inspection for review, signing the version recorded now; an inspection returned,
     * or changed since it was submitted or approved, is submitted again.
     */
    suspend fun submit(id: String): InspectionView = edit { store.submit(id) }

    /**
     * Inspections of this supervisor's stations waiting for a decision (awaiting review, changed
     * since submission, or changed since approval), newest first.
     */
    suspend fun reviewQueue(): List<InspectionSummary> = call { store.reviewQueue() }

    /**
     * Approves inspection [id] exactly as the supervisor was shown it, with an optional [comment]:
     * a signed review naming [heads], the `heads` of the [InspectionView] on screen (never heads
     * read again now). Refused, writing nothing, with [org.quayside.core.ApiException.Stale] when
     * it changed since, and with [org.quayside.core.ApiException.Invalid] unless the officer's
     * submission signature covers that version, or this is not a supervisor's phone.
     */
    suspend fun approve(id: String, heads: List<String>, comment: String): ReviewRecord = edit { store.approve(id, heads, comment) }

    /**
     * Returns inspection [id], as shown ([heads] of the view on screen), to its officer with
     * [comment] (required) saying what to correct. Supervisors only; [org.quayside.core.ApiException.Stale]
     * when it changed since it was shown.
     */
    suspend fun returnInspection(id: String, heads: List<String>, comment: String): ReviewRecord =
        edit { store.returnInspection(id, heads, comment) }

    /**
     * Enrols this device with the server at [serverUrl] using a one-time [code]; [trust] carries
     * the agency's CA or a pinned server key when the platform's roots do not vouch for the server.
     */
    suspend fun enroll(serverUrl: String, code: String, deviceName: String, trust: ServerTrust? = null): EnrollmentRecord {
        val r = call { store.enroll(serverUrl, code, deviceName, trust) }
        refreshSyncStatus()
        schedule()
        return r
    }

    /**
     * The enrolment link scanned as [text] (the QR code on the administrator's enrolment page):
     * refused by the core when it is not a Quayside link or its code is another user's.
     */
    suspend fun readEnrolmentLink(text: String): EnrolmentLink = call { store.readEnrolmentLink(text) }

    /** Re-reads what is not yet on the server (and the enrolled role, fresh) into [syncStatus]. */
    suspend fun refreshSyncStatus(): SyncStatusRecord {
        val s = call { store.syncStatus() }
        _syncStatus.value = s
        return s
    }

    /** The core's advice on when to sync next, with what to show about sync now (not handed to [onSchedule]). */
    suspend fun syncSchedule(): SyncSchedule = call { store.syncSchedule() }

    /** The core's advice on when to sync next, handed to [onSchedule] (the app enqueues work from it). */
    suspend fun schedule(): SyncSchedule = syncSchedule().also(onSchedule)

    /**
     * Syncs once with the server. Progress goes to [syncState] and to [observer]. One sync runs at
     * a time: a second call waits for the first. The core records the outcome, and the schedule it
     * then gives goes to [onSchedule]. Throws the core's [org.quayside.core.ApiException] on
     * failure (also shown in [syncState]); a network failure changes nothing, a wipe included (the
     * next sync tries again).
     *
     * When the report says `wiped` (an administrator revoked this phone with wipe, and the core has
     * pushed what the server accepts and deleted the store), the store is closed, [wipe] forgets its
     * key and [wiped] turns `true`; nothing is read or scheduled after it.
     */
    suspend fun sync(observer: SyncObserver? = null): SyncReportRecord = exclusive.withLock {
        val forward = object : SyncObserver {
            override fun onProgress(progress: SyncProgressRecord) {
                _syncState.value = SyncState.Running(progress)
                observer?.onProgress(progress)
            }
        }
        var wipedNow = false
        try {
            // Not cancellable: the core's sync runs to its end anyway, and what it reports (a wipe
            // above all) must be acted on even when the caller has gone (WorkManager stopped the work).
            val report = withContext(io + NonCancellable) { store.sync(forward) }
            _syncState.value = SyncState.Done(report)
            if (report.wiped) {
                wipedNow = true
                withContext(NonCancellable) { afterWipe() }
            } else if (report.received > 0uL || report.pushed > 0uL) {
                _revision.update { it + 1 }
            }
            report
        } catch (e: Exception) {
            _syncState.value = SyncState.Failed(Problems.of(e))
            throw e
        } finally {
            // A wiped store has nothing left to read, and nothing is scheduled for it.
            if (!wipedNow) {
                runCatching { refreshSyncStatus() }
                runCatching { schedule() }
            }
        }
    }

    /**
     * Re-encrypts the store under a new key ([StoreKeys.rotate] with the core's `changeKey`: the
     * database re-keyed, every photo sealed again), with [keys] keeping the new key beside the old
     * one until the store has it. Exclusive work: it waits for a running sync, and a sync asked
     * for meanwhile waits for it. Progress and outcome go to [keyChange]; throws on failure (also
     * shown there). Not cancellable, even while it waits for a sync: the officer confirmed it, and
     * once it runs the kept keys must follow what the core did.
     */
    suspend fun changeKey(): Unit = withContext(io + NonCancellable) {
        _keyChange.value = KeyChange.Running
        try {
            val keeper = checkNotNull(keys) { "no store key keeper" }
            exclusive.withLock { StoreKeys.rotate(keeper, store::changeKey) }
            _keyChange.value = KeyChange.Done
        } catch (e: Exception) {
            _keyChange.value = KeyChange.Failed(Problems.of(e))
            throw e
        }
    }

    /**
     * The core deleted the store after an administrator's wipe: closes the native store (its
     * connections point at deleted files; later calls fail instead of touching them), forgets the
     * key ([StoreWipe.complete]) and signals [wiped]. Never throws: a key that could not be
     * forgotten is never used again: the next set-up makes a new one ([StoreKeys.forNewStore]).
     */
    private suspend fun afterWipe() {
        withContext(io) {
            close()
            runCatching { wipe?.complete() }
        }
        _wiped.value = true
    }

    /** Releases the native store. */
    override fun close() {
        (store as? AutoCloseable)?.close()
    }

    private suspend fun <T> call(block: () -> T): T = withContext(io) { block() }

    private suspend fun <T> edit(block: () -> T): T {
        val result = call(block)
        afterEdit()
        return result
    }

    private suspend fun afterEdit() {
        _revision.update { it + 1 }
        runCatching { refreshSyncStatus() }
        runCatching { schedule() }
    }

    /** Opening the store on a device. */
    companion object {
        /**
         * Opens the store in [dir] with its [key] (32 bytes, see [StoreKeys]) if one is there, else
         * `null` (the app then shows the set-up screen). A key that does not open it is
         * [org.quayside.core.ApiException.WrongKey] and nothing is changed; a store from before
         * encryption is encrypted under [key] by this first open. The core copies [key]: the caller
         * may zero it as soon as this returns.
         */
        fun openExisting(dir: File, key: ByteArray): FieldStore? =
            if (exists(dir)) FieldStore.open(dir.absolutePath, key) else null

        /** Creates a store in [dir] for [user] at [station] (UN/LOCODE), encrypted under [key] (see [openExisting]). */
        fun create(dir: File, key: ByteArray, user: String, station: String): FieldStore {
            dir.parentFile?.mkdirs()
            return FieldStore.create(dir.absolutePath, key, user.trim(), station.trim().uppercase())
        }

        /** Whether [dir] holds a store (encrypted or not). */
        fun exists(dir: File): Boolean = File(dir, STORE_MARKER).exists()

        /** The database file every store directory holds, used to tell whether a store exists. */
        const val STORE_MARKER = "quayside.sqlite3"
    }
}
