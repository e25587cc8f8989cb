"""The generated Python bindings over the real core library (no pip packages needed).

Run by scripts/python-test.sh, which copies build/bindings/python/quayside_core.py and
libquayside_core.so into one temporary folder and points QUAYSIDE_BINDINGS_DIR at it.
"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.environ.get("QUAYSIDE_BINDINGS_DIR", os.path.dirname(__file__)))
import quayside_core as q  # noqa: E402

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8 + b"\xff\xd9"


class FieldStoreTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="quayside-py-")
        self.key = q.generate_store_key()
        self.store = q.FieldStore.create(os.path.join(self.dir.name, "store"), self.key, "ama", "GHTEM")

    def tearDown(self):
        del self.store
        self.dir.cleanup()

    def record_r22(self):
        view = self.store.create_inspection(
            q.InspectionFields(
                container_number="CSQU3054383",
                declaration=q.DeclarationFields(hs_code="3827.64", description="R-134a in cylinders", quantity_kg=15500.0),
            )
        )
        added = self.store.add_finding(
            view.inspection.id,
            q.FindingFields(
                declared_substance="R-134a",
                identified_substance="R-22",
                cylinders=1139,
                net_mass_kg=15490.4,
                cylinder_type=q.CylinderType.DISPOSABLE,
            ),
        )
        return view.inspection.id, added.finding_id, added.view

    def test_finding_figures(self):
        _, finding_id, view = self.record_r22()
        total = view.assessment.total
        self.assertAlmostEqual(total.kg, 15490.4)
        self.assertEqual(round(total.odp_tonnes, 3), 0.852)
        self.assertEqual(round(total.co2e_tonnes), 28038)
        figures = view.assessment.findings[0]
        self.assertEqual(figures.finding_id, finding_id)
        self.assertEqual(figures.odp, 0.055)
        self.assertEqual(figures.gwp, 1810.0)
        kinds = {f.kind for f in view.assessment.flags}
        self.assertIn(q.FlagKind.SUBSTANCE_MISMATCH, kinds)
        self.assertIn(q.FlagKind.DISPOSABLE_CYLINDERS, kinds)
        mismatch = next(f for f in view.assessment.flags if f.kind == q.FlagKind.SUBSTANCE_MISMATCH)
        self.assertEqual(mismatch.message.key, q.MessageKey.FLAG_DECLARED_OTHER)
        self.assertEqual(mismatch.message.args, ["HFC-134a", "HCFC-22"])
        self.assertEqual(mismatch.message.english(), "Declared HFC-134a, identified HCFC-22.")

    def test_photo_round_trip(self):
        inspection_id, finding_id, _ = self.record_r22()
        added = self.store.add_photo(inspection_id, JPEG, q.PhotoFields(caption="relabelled", finding_id=finding_id))
        self.assertEqual(added.photo.mime, "image/jpeg")
        self.assertEqual(self.store.read_photo(added.photo.sha256), JPEG)
        with self.assertRaises(q.ApiError.Invalid):
            self.store.add_photo(inspection_id, b"not a picture", q.PhotoFields())
        self.assertEqual(len(self.store.get_inspection(inspection_id).inspection.photos), 1)

    def test_errors_raise_their_classes_and_change_nothing(self):
        with self.assertRaises(q.ApiError.CheckDigit) as cm:
            self.store.create_inspection(q.InspectionFields(container_number="CSQU3054384"))
        self.assertEqual(cm.exception.expected, 3)
        self.assertIsInstance(cm.exception, q.ApiError)
        self.assertEqual(self.store.list_inspections(q.InspectionFilter()), [])
        inspection_id, _, _ = self.record_r22()
        with self.assertRaises(q.ApiError.UnknownSubstance) as cm:
            self.store.add_finding(inspection_id, q.FindingFields(identified_substance="R-999"))
        self.assertEqual(cm.exception.name, "R-999")
        with self.assertRaises(q.ApiError.NotFound) as cm:
            self.store.get_inspection("no-such-id")
        self.assertEqual(cm.exception.kind, "inspection")
        with self.assertRaises(q.ApiError.Invalid):
            self.store.add_finding(inspection_id, q.FindingFields(identified_substance="R-22", net_mass_kg=-1.0))
        self.assertEqual(len(self.store.get_inspection(inspection_id).inspection.findings), 1)
        with self.assertRaises(q.ApiError.NotEnrolled) as cm:
            self.store.sync(None)
        self.assertEqual(cm.exception.code(), q.ErrorCode.NOT_ENROLLED)
        self.assertFalse(cm.exception.retryable())
        self.assertEqual(cm.exception.user_message().key, q.MessageKey.ERROR_NOT_ENROLLED)

    def test_list_search_submit_history(self):
        inspection_id, _, _ = self.record_r22()
        self.store.create_inspection(q.InspectionFields(container_number="MSCU1234566"))
        self.assertEqual(len(self.store.list_inspections(q.InspectionFilter())), 2)
        found = self.store.list_inspections(q.InspectionFilter(substance="chlorodifluoromethane"))
        self.assertEqual([s.id for s in found], [inspection_id])
        self.store.submit(inspection_id)
        submitted = self.store.list_inspections(q.InspectionFilter(status=q.InspectionStatus.SUBMITTED))
        self.assertEqual([s.container_number for s in submitted], ["CSQU3054383"])
        summaries = [h.summary for h in self.store.history(inspection_id)]
        self.assertEqual(summaries[-1], "submitted for review")
        status = self.store.sync_status()
        self.assertFalse(status.enrolled)
        self.assertEqual(status.unsynced_inspections, 2)

    def test_review_state_follows_submission(self):
        inspection_id, _, view = self.record_r22()
        self.assertEqual(view.review_state, q.ReviewState.DRAFT)
        self.assertIsNone(view.submission_verified)
        self.assertEqual(view.reviews, [])
        submitted = self.store.submit(inspection_id)
        self.assertEqual(submitted.review_state, q.ReviewState.AWAITING_REVIEW)
        self.assertIs(submitted.submission_verified, True)
        row = self.store.list_inspections(q.InspectionFilter(review_states=[q.ReviewState.AWAITING_REVIEW]))[0]
        self.assertEqual(
            (row.id, row.review_state, row.status, row.pending_sync),
            (inspection_id, q.ReviewState.AWAITING_REVIEW, q.InspectionStatus.SUBMITTED, True),
        )
        self.assertEqual(row.review_state.label().key, q.MessageKey.REVIEW_STATE_AWAITING_REVIEW)

    def test_change_after_submission_is_not_signed(self):
        inspection_id, _, _ = self.record_r22()
        submitted = self.store.submit(inspection_id)
        self.assertTrue(submitted.submission_covers_shown)
        self.assertTrue(submitted.heads)
        changed = self.store.add_custody(inspection_id, q.CustodyFields(_from="ama", to="Kwame Mensah (warehouse)"))
        self.assertEqual(changed.review_state, q.ReviewState.CHANGED_SINCE_SUBMISSION)
        self.assertIs(changed.submission_verified, True)
        self.assertFalse(changed.submission_covers_shown)
        self.assertNotEqual(changed.heads, submitted.heads)
        self.assertTrue(changed.inspection.seizure.custody[0].id.startswith("c-"))
        # A decision names the heads shown; this phone is no supervisor's, so nothing is written.
        with self.assertRaises(q.ApiError.Forbidden) as cm:
            self.store.approve(inspection_id, changed.heads, "")
        self.assertEqual(cm.exception.user_message().key, q.MessageKey.RULE_NOT_SUPERVISOR)
        self.assertEqual(self.store.get_inspection(inspection_id).reviews, [])
        self.assertEqual(self.store.submit(inspection_id).review_state, q.ReviewState.AWAITING_REVIEW)

    def test_remove_and_restore_element(self):
        inspection_id, _, _ = self.record_r22()
        photo = self.store.add_photo(inspection_id, JPEG, q.PhotoFields(caption="door")).photo
        self.store.update_photo(inspection_id, photo.sha256, q.PhotoEdit(caption="relabelled cylinder"))
        removed = self.store.remove_element(inspection_id, q.ElementList.PHOTOS, photo.sha256)
        self.assertEqual(removed.inspection.photos, [])
        self.assertEqual(removed.conflicts, [], "a removal on one device is no conflict")
        restored = self.store.restore_element(inspection_id, q.ElementList.PHOTOS, photo.sha256)
        self.assertEqual([p.caption for p in restored.inspection.photos], ["relabelled cylinder"])

    def test_reference_lookup(self):
        r22 = q.substance("R-22")
        self.assertEqual(r22.id, "HCFC-22")
        self.assertEqual(r22.chemical_name, "chlorodifluoromethane")
        hits = q.lookup_reference("R-404A")
        blend = next(h.substance for h in hits if h.is_SUBSTANCE())
        self.assertTrue(blend.is_blend)
        self.assertAlmostEqual(sum(c.mass_pct for c in blend.components), 100.0)
        self.assertTrue(any(h.is_HS_CODE() for h in q.lookup_reference("3827.61")))
        self.assertIsNone(q.substance("R-999"))
        self.assertGreaterEqual(len(q.substances()), 20)
        check = q.check_container_number("csqu 305438 3")
        self.assertEqual(check.normalized, "CSQU3054383")
        self.assertTrue(check.check_digit_ok)
        with self.assertRaises(q.ApiError.Invalid):
            q.check_container_number("XX")

    def test_a_form_writes_only_what_changed_since_it_was_filled(self):
        inspection_id, _, opened = self.record_r22()
        # Another part of the app changes the note after the form was filled.
        self.store.update_inspection(inspection_id, q.InspectionFields(notes="seal 4411 broken"), [])
        saved = self.store.update_inspection(
            inspection_id,
            q.InspectionFields(notes=opened.inspection.notes, selection_reason="tip-off"),
            opened.heads,
        )
        self.assertEqual(saved.inspection.notes, "seal 4411 broken")
        self.assertEqual(saved.inspection.selection_reason, "tip-off")
        self.assertEqual(saved.conflicts, [])

    def test_forms_are_filled_and_read_by_the_core(self):
        inspection_id, finding_id, view = self.record_r22()
        form = q.seizure_form(view.inspection, ",")
        self.assertEqual(form[f"item.{finding_id}.kg"], "")
        form.update({"action": "seized", "modus_operandi": "false-declaration", f"item.{finding_id}.kg": "15490,4"})
        saved = self.store.set_seizure(inspection_id, q.seizure_fields_from_form(form, ","), view.heads)
        self.assertEqual(saved.inspection.seizure.items[0].quantity_kg, 15490.4)
        self.assertEqual(saved.inspection.seizure.action, q.SeizureAction.SEIZED)
        # Opened again and saved untouched: nothing changes.
        again = q.seizure_fields_from_form(q.seizure_form(saved.inspection, ","), ",")
        self.assertEqual(self.store.set_seizure(inspection_id, again, saved.heads).heads, saved.heads)
        with self.assertRaises(q.ApiError.Invalid) as cm:
            q.seizure_fields_from_form({f"item.{finding_id}.cylinders": "3"}, ".")
        self.assertEqual(cm.exception.field, f"item.{finding_id}.kg")
        self.assertEqual(cm.exception.user_message().key, q.MessageKey.RULE_SEIZED_QUANTITY_NEEDED)
        with self.assertRaises(q.ApiError.Invalid) as cm:
            q.inspection_fields_from_form(q.inspection_form(saved.inspection, ".") | {"container": ""}, ".")
        self.assertEqual(cm.exception.field, "container")

    def test_the_store_is_encrypted_and_opens_only_with_its_key(self):
        inspection_id, _, _ = self.record_r22()
        added = self.store.add_photo(inspection_id, JPEG, q.PhotoFields(caption="cylinder labels"))
        store_dir = os.path.join(self.dir.name, "store")
        # Nothing recorded is readable in any file of the store (database, WAL, photos).
        for root, _, files in os.walk(store_dir):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    raw = f.read()
                for recorded in (b"CSQU3054383", b"R-134a in cylinders", b"cylinder labels", JPEG[16:48]):
                    self.assertNotIn(recorded, raw, f"{recorded!r} readable in {name}")
        del self.store
        with self.assertRaises(q.ApiError.WrongKey) as cm:
            q.FieldStore.open(store_dir, q.generate_store_key())
        self.assertEqual(cm.exception.code(), q.ErrorCode.WRONG_KEY)
        self.assertEqual(cm.exception.user_message().key, q.MessageKey.ERROR_WRONG_KEY)
        with self.assertRaises(q.ApiError.Invalid):
            q.FieldStore.open(store_dir, b"short")
        self.store = q.FieldStore.open(store_dir, self.key)
        self.assertEqual(self.store.read_photo(added.photo.sha256), JPEG)
        self.assertEqual(self.store.get_inspection(inspection_id).inspection.container.number, "CSQU3054383")

    def test_drafts_photos_quantities_and_schedule(self):
        inspection_id, _, opened = self.record_r22()
        form = f"inspection:{inspection_id}"
        self.store.save_draft(form, inspection_id, opened.heads, {"notes": "typed, not saved"})
        path = self.store.keep_camera_photo(inspection_id, JPEG, "jpg")
        with open(path, "rb") as f:
            kept = f.read()
        self.assertNotIn(JPEG[4:], kept)  # kept sealed, not in the clear
        store_dir = os.path.join(self.dir.name, "store")
        del self.store  # the app is killed
        self.store = q.FieldStore.open(store_dir, self.key)
        self.assertEqual(self.store.draft(form).fields, {"notes": "typed, not saved"})
        recovered = self.store.recover_photos()
        self.assertEqual(len(recovered), 1)
        self.assertTrue(recovered[0].is_ATTACHED())
        self.assertEqual(len(self.store.get_inspection(inspection_id).inspection.photos), 1)

        self.assertEqual(q.parse_quantity("1.234,5", ","), 1234.5)
        self.assertEqual(q.format_quantity(15490.4, ","), "15490,4")
        with self.assertRaises(q.ApiError.Invalid) as cm:
            q.parse_quantity("-2", ".")
        self.assertEqual(cm.exception.user_message().key, q.MessageKey.QUANTITY_NEGATIVE)

        self.assertEqual(q.net_mass("", "1139", "13.6", "."), 15490.4)
        rows = [q.CompositionRow(component="R-22", pct="60"), q.CompositionRow(component="R-290", pct="30")]
        with self.assertRaises(q.ApiError.Invalid) as cm:
            q.composition_shares(rows, ".")
        self.assertEqual(cm.exception.user_message().key, q.MessageKey.COMPOSITION_TOTAL)
        self.assertEqual(cm.exception.user_message().args, ["90"])

        fields = q.finding_fields_from_form({"cylinders": "1139", "kg_per_cylinder": "13.6", "identified": "R-22"}, ".")
        self.assertEqual((fields.net_mass_kg, fields.cylinders, fields.identified_substance), (15490.4, 1139, "R-22"))
        with self.assertRaises(q.ApiError.Invalid) as cm:
            q.finding_fields_from_form({"cylinders": "2.5"}, ".")
        self.assertEqual(cm.exception.field, "cylinders")

        schedule = self.store.sync_schedule()
        self.assertEqual(schedule.action, q.SyncAction.ENROL)
        self.assertEqual(schedule.message.key, q.MessageKey.SYNC_NOT_ENROLLED)
        ids = {e.id for e in q.message_catalog()}
        self.assertIn("error_network", ids)
        self.assertEqual(len(ids), len(q.message_catalog()))


if __name__ == "__main__":
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=1)
    result = unittest.main(exit=False, testRunner=runner).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed or result.testsRun == 0 else 0)
