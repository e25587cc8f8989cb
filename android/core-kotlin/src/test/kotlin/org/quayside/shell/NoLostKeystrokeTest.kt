package org.quayside.shell

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.quayside.core.InspectionFields
import org.quayside.core.RecoveredPhoto

/** Drafts kept as the officer types, the camera's sealed photo inbox, and a list longer than one page. */
class NoLostKeystrokeTest {
    /** What is typed is saved within the debounce and comes back when the store is opened again (the app was killed). */
    @Test
    fun draftsSurviveReopeningTheStore() = runBlocking {
        val dir = TestSupport.newStoreDir()
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        val id: String
        InspectionRepository(TestSupport.newStoreIn(dir)).use { repo ->
            val editor = InspectionEditorModel(repo, Numbers(","), scope, debounceMs = 50)
            editor.edit(InspectionForm(mapOf("container" to "CSQU3054383", "quantity_kg" to "15 500")))
            assertTrue(editor.save())
            id = editor.inspectionId!!
            assertNull("a saved form leaves no draft", repo.draft(FormKeys.inspection(id)))
            assertNull(repo.draft(FormKeys.inspection(null)))
            editor.edit(editor.state.value.form.with("notes" to "door seal broken", "quantity_kg" to "15 400,5"))
            // Debounced: saved shortly after the last keystroke, with the heads the form was filled from.
            withTimeout(5_000) { while (repo.draft(FormKeys.inspection(id)) == null) delay(20) }
            val d = repo.draft(FormKeys.inspection(id))!!
            assertEquals(editor.state.value.basedOn, d.basedOn)
            assertEquals("door seal broken", d.fields["notes"])
            // A finding typed but not saved, kept when the screen stops.
            val opened = editor.openFinding(null)
            assertFalse(opened.restored)
            editor.editFinding(null, opened.form.with("identified" to "R-22", "net_mass_kg" to "120"), opened.basedOn)
            editor.flushDrafts()
            assertEquals(2, repo.drafts().size)
        }
        scope.cancel()

        InspectionRepository(TestSupport.openStoreIn(dir)).use { repo ->
            val editor = InspectionEditorModel(repo, Numbers(","))
            assertTrue(editor.load(id))
            val s = editor.state.value
            assertTrue("restored notice", s.restoredDraft)
            assertEquals("door seal broken", s.form["notes"])
            assertEquals("15 400,5", s.form["quantity_kg"])
            assertEquals("CSQU3054383", s.form["container"])
            val finding = editor.openFinding(null)
            assertTrue(finding.restored)
            assertEquals("R-22", finding.form["identified"])
            assertNotNull(editor.addFinding(finding.form))
            assertNull("the saved finding's draft is gone", repo.draft(FormKeys.finding(id, null)))
            // Saving sends the restored form with its based-on heads, then the draft is discarded.
            assertTrue(editor.save())
            assertFalse(editor.state.value.restoredDraft)
            assertEquals("door seal broken", repo.get(id).inspection.notes)
            assertEquals(15400.5, repo.get(id).inspection.declaration.quantityKg!!, 1e-9)
            assertTrue(repo.drafts().isEmpty())
        }
    }

    /** A form filled before a colleague's merged change sends everything; the core keeps the colleague's field. */
    @Test
    fun basedOnKeepsAnotherEdit() = runBlocking {
        InspectionRepository(TestSupport.newStore()).use { repo ->
            val editor = InspectionEditorModel(repo)
            editor.edit(InspectionForm(mapOf("container" to "CSQU3054383", "notes" to "first notes")))
            assertTrue(editor.save())
            val id = editor.inspectionId!!
            // Meanwhile another edit (here: the same phone, another screen) changes the seals.
            repo.update(id, InspectionFields(seals = listOf("ML-448812")), emptyList())
            // The header form, filled before that, changes only the notes and sends all its fields.
            editor.edit(editor.state.value.form.with("notes" to "second notes"))
            assertTrue(editor.save())
            val now = repo.get(id).inspection
            assertEquals("second notes", now.notes)
            assertEquals("the other edit stays", listOf("ML-448812"), now.container.seals)
            assertEquals("the form reloads from the saved view", listOf("ML-448812").joinToString(", "), editor.state.value.form["seals"])
            // Saving the unchanged form adds no change to the record.
            val before = repo.history(id).size
            assertTrue(editor.save())
            assertEquals(before, repo.history(id).size)
        }
    }

    /**
     * The camera's bytes are kept in the store's inbox, sealed, before they are attached: attached
     * through the editor they leave nothing behind; a photo whose attaching failed, or whose app
     * was killed between the shutter and the attach, is attached at the next start. No inbox file
     * holds the photo's bytes in the clear.
     */
    @Test
    fun cameraPhotosAreKeptSealedAndRecoveredAtStart() = runBlocking {
        val dir = TestSupport.newStoreDir()
        val id: String
        InspectionRepository(TestSupport.newStoreIn(dir)).use { repo ->
            val editor = InspectionEditorModel(repo)
            editor.edit(InspectionForm(mapOf("container" to "CSQU3054383")))
            assertTrue(editor.save())
            id = editor.inspectionId!!
            // Kept, then attached through the editor: the inbox file is gone afterwards.
            assertTrue(editor.addPhoto(TestSupport.jpeg(seed = 7), " door ", null))
            assertEquals("door", editor.state.value.view!!.inspection.photos.single().caption)
            // Attaching fails (no such finding): shown as any problem, the kept photo stays in the inbox.
            assertFalse(editor.addPhoto(TestSupport.jpeg(seed = 9), "valve", "no-such-finding"))
            assertNotNull(editor.state.value.message)
            assertEquals(1, editor.state.value.view!!.inspection.photos.size)
            // The app is killed between the shutter and the attach.
            val shot = TestSupport.jpeg(size = 4096, seed = 8)
            val kept = repo.keepCameraPhoto(id, shot)
            assertTrue("inside the store directory", kept.canonicalPath.startsWith(dir.canonicalPath))
            val inbox = kept.parentFile.listFiles()!!.toList()
            assertEquals("the failed attach's photo and the killed one: $inbox", 2, inbox.size)
            for (file in inbox) {
                val raw = file.readBytes()
                for (photo in listOf(shot, TestSupport.jpeg(seed = 9))) {
                    assertFalse("${file.name} holds the photo's bytes in the clear", contains(raw, photo.copyOfRange(64, 320)))
                    assertFalse("${file.name} holds the JPEG header in the clear", contains(raw, photo.copyOfRange(0, 11)))
                }
            }
        }
        InspectionRepository(TestSupport.openStoreIn(dir)).use { repo ->
            val found = repo.recoverPhotos()
            assertEquals(2, found.count { it is RecoveredPhoto.Attached })
            assertEquals(3, repo.get(id).inspection.photos.size)
            assertEquals(
                "Photos found after a restart: 2 attached, 0 cut short and set aside, 0 of inspections not on this phone.",
                XmlLocalizer.en.render(PhotoRecovery.notice(found)!!),
            )
            assertTrue(repo.recoverPhotos().isEmpty())
            assertNull(PhotoRecovery.notice(emptyList()))
        }
    }

    /** The list pages through the core's results: 130 inspections are all reachable, never cut at 100. */
    @Test
    fun listPagesBeyondOneHundredRows() = runBlocking {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        InspectionRepository(TestSupport.newStore()).use { repo ->
            repeat(130) { i ->
                repo.create(InspectionFields(containerNumber = "TESU%07d".format(i), allowInvalidCheckDigit = true))
            }
            val (all, more) = Paging.load(1_000) { offset, limit -> repo.list(filterFor("").copy(offset = offset.toUInt(), limit = limit.toUInt())) }
            assertEquals(130, all.size)
            assertEquals(130, all.map { it.id }.toSet().size)
            assertFalse(more)

            val list = InspectionListModel(repo, scope, pageSize = 60)
            list.start()
            val first = withTimeout(10_000) { list.state.first { !it.loading && it.rows.isNotEmpty() } }
            assertEquals(60, first.rows.size)
            assertTrue(first.hasMore)
            list.loadMore()
            assertTrue(withTimeout(10_000) { list.state.first { it.rows.size == 120 } }.hasMore)
            list.loadMore()
            val last = withTimeout(10_000) { list.state.first { it.rows.size == 130 } }
            assertFalse(last.hasMore)
            assertEquals(all.map { it.id }, last.rows.map { it.summary.id })
        }
        scope.cancel()
    }

    /** Whether [needle] occurs in [haystack]. */
    private fun contains(haystack: ByteArray, needle: ByteArray): Boolean =
        (0..haystack.size - needle.size).any { i -> needle.indices.all { haystack[i + it] == needle[it] } }
}
