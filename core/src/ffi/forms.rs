//! What keeps an officer's typing and photos safe before they are saved: drafts kept as they
//! type, and the photo inbox the camera writes into.

use std::collections::HashMap;
use std::path::Path;

use super::{ApiResult, FieldStore, PhotoAdded, PhotoFields};
use crate::store::{drafts::Draft, inbox::Recovered};

/// A form's unsaved content.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct DraftRecord {
    /// The form's key (`inspection:<id>`, `finding:<inspection>:<finding or new>`,
    /// `seizure:<id>`, `custody:<id>:new`, ...), chosen by the shell.
    pub form: String,
    pub inspection_id: Option<String>,
    /// The heads of the version the form was filled from: pass them as `based_on` on save.
    pub based_on: Vec<String>,
    /// Each field as typed.
    pub fields: HashMap<String, String>,
    pub saved_at: String,
}

impl From<Draft> for DraftRecord {
    fn from(d: Draft) -> Self {
        Self {
            form: d.form,
            inspection_id: d.inspection_id,
            based_on: d.based_on,
            fields: d.fields.into_iter().collect(),
            saved_at: d.saved_at,
        }
    }
}

/// What became of a photo found in the inbox at start.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Enum)]
pub enum RecoveredPhoto {
    /// Attached to its inspection.
    Attached {
        inspection_id: String,
        sha256: String,
    },
    /// Cut short by the camera, or no longer opening: kept aside, sealed, at `kept_at`; not
    /// attached.
    Incomplete {
        inspection_id: String,
        kept_at: String,
    },
    /// Its inspection is not on this device; kept sealed at `path`.
    Orphan { inspection_id: String, path: String },
}

impl From<Recovered> for RecoveredPhoto {
    fn from(r: Recovered) -> Self {
        match r {
            Recovered::Attached {
                inspection_id,
                sha256,
            } => RecoveredPhoto::Attached {
                inspection_id,
                sha256,
            },
            Recovered::Incomplete {
                inspection_id,
                kept_at,
            } => RecoveredPhoto::Incomplete {
                inspection_id,
                kept_at: kept_at.display().to_string(),
            },
            Recovered::Orphan {
                inspection_id,
                path,
            } => RecoveredPhoto::Orphan {
                inspection_id,
                path: path.display().to_string(),
            },
        }
    }
}

#[uniffi::export]
impl FieldStore {
    /// Keeps what is typed in a form (call as the officer types, debounced, and when the form
    /// is left). `based_on` is the `heads` of the view the form was filled from.
    pub fn save_draft(
        &self,
        form: String,
        inspection_id: Option<String>,
        based_on: Vec<String>,
        fields: HashMap<String, String>,
    ) -> ApiResult<DraftRecord> {
        Ok(self
            .store
            .save_draft(
                &form,
                inspection_id.as_deref(),
                &based_on,
                &fields.into_iter().collect(),
            )?
            .into())
    }

    /// A form's kept draft, if any (to fill the form again after a restart).
    pub fn draft(&self, form: String) -> ApiResult<Option<DraftRecord>> {
        Ok(self.store.draft(&form)?.map(Into::into))
    }

    /// Every kept draft, oldest first.
    pub fn drafts(&self) -> ApiResult<Vec<DraftRecord>> {
        Ok(self.store.drafts()?.into_iter().map(Into::into).collect())
    }

    /// Forgets a form's draft: after saving it, or when the officer discards it.
    pub fn discard_draft(&self, form: String) -> ApiResult<()> {
        Ok(self.store.discard_draft(&form)?)
    }

    /// Keeps the camera's bytes of a new photo of `inspection_id` in this store's inbox, sealed
    /// and on disk before it returns (call it the moment the shutter returns, with the image in
    /// memory: nothing of it is written in the clear); attach it with
    /// [`FieldStore::attach_photo_file`] once the officer captioned it. Returns the inbox path.
    #[uniffi::method(default(extension = "jpg"))]
    pub fn keep_camera_photo(
        &self,
        inspection_id: String,
        bytes: Vec<u8>,
        extension: String,
    ) -> ApiResult<String> {
        Ok(self
            .store
            .keep_camera_photo(&inspection_id, &bytes, &extension)?
            .display()
            .to_string())
    }

    /// Attaches a photo kept with [`FieldStore::keep_camera_photo`], and removes the inbox file.
    pub fn attach_photo_file(&self, path: String, fields: PhotoFields) -> ApiResult<PhotoAdded> {
        let (photo, ins) = self
            .store
            .attach_inbox_photo(Path::new(&path), fields.into())?;
        Ok(PhotoAdded {
            photo: photo.into(),
            view: self.view(&ins.id)?,
        })
    }

    /// Attaches every photo a killed app left in the inbox; call once at start.
    pub fn recover_photos(&self) -> ApiResult<Vec<RecoveredPhoto>> {
        Ok(self
            .store
            .recover_inbox()?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
