//! The photo inbox: the camera's bytes are kept in the store's directory
//! (`inbox/<inspection>/<name>.sealed`, sealed like the photos) the moment the shutter returns,
//! before the officer captions or attaches the photo. Attaching moves it into the evidence store;
//! photos left behind by a killed app are attached on the next start, and a photo that cannot be
//! attached (cut short, or its inspection is not in the store) is kept sealed, never deleted.
//! Plain files an app from before encryption left in the inbox are taken the same way and sealed.

use std::path::{Path, PathBuf};

use super::Store;
use super::inspections::PhotoInput;
use crate::blobs::seal;
use crate::error::{Error, Result};

/// What became of one photo found in the inbox at start.
#[derive(Debug, Clone, PartialEq)]
pub enum Recovered {
    /// Attached to its inspection (or already there).
    Attached {
        inspection_id: String,
        sha256: String,
    },
    /// Not a whole image (the camera was interrupted), or a sealed file that no longer opens;
    /// kept, sealed, in `inbox/incomplete/<inspection>/<name>.sealed`.
    Incomplete {
        inspection_id: String,
        kept_at: PathBuf,
    },
    /// Its inspection is not in this store; kept where it is, sealed (`<name>.sealed`).
    Orphan {
        inspection_id: String,
        path: PathBuf,
    },
}

const INBOX: &str = "inbox";
const INCOMPLETE: &str = "incomplete";
/// The name ending of a sealed file in the inbox.
const SEALED: &str = ".sealed";

impl Store {
    fn inbox_dir(&self) -> PathBuf {
        self.dir().join(INBOX)
    }

    /// Keeps the camera's `bytes` of a new photo of `inspection_id` in the inbox, sealed and
    /// durable (fsynced, renamed into place) before it returns; the shell then calls
    /// [`Store::attach_inbox_photo`] with the returned path, or [`Store::recover_inbox`] attaches
    /// it after a crash. Nothing of the photo is written in the clear.
    pub fn keep_camera_photo(
        &self,
        inspection_id: &str,
        bytes: &[u8],
        extension: &str,
    ) -> Result<PathBuf> {
        self.inspection(inspection_id)?;
        if bytes.is_empty() {
            return Err(Error::Invalid("the camera returned an empty photo".into()));
        }
        if bytes.len() as u64 > crate::blobs::MAX_PHOTO_BYTES {
            return Err(Error::Invalid(format!(
                "the photo is larger than {} MiB",
                crate::blobs::MAX_PHOTO_BYTES / (1024 * 1024)
            )));
        }
        let ext: String = extension
            .trim_start_matches('.')
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(8)
            .collect();
        let dir = self.inbox_dir().join(inspection_id);
        std::fs::create_dir_all(&dir).map_err(Error::io(&dir))?;
        let path = dir.join(format!(
            "{}.{}{SEALED}",
            uuid::Uuid::now_v7().simple(),
            if ext.is_empty() { "jpg" } else { &ext }
        ));
        self.blobs().keep_aside(bytes, &path)?;
        Ok(path)
    }

    /// Attaches a photo kept in the inbox (see [`Store::keep_camera_photo`]) and removes the
    /// inbox file.
    pub fn attach_inbox_photo(
        &self,
        path: &Path,
        input: PhotoInput,
    ) -> Result<(crate::model::Photo, crate::model::Inspection)> {
        let inspection_id = self.inbox_owner(path)?;
        let bytes = self.read_inbox_file(path)?;
        let attached = self.add_photo_bytes(&inspection_id, &bytes, input)?;
        std::fs::remove_file(path).map_err(Error::io(path))?;
        Ok(attached)
    }

    /// The photo in an inbox file: opened when sealed; a plain file is one an app from before
    /// encryption left.
    fn read_inbox_file(&self, path: &Path) -> Result<Vec<u8>> {
        let bytes = std::fs::read(path).map_err(Error::io(path))?;
        if seal::is_sealed(&bytes) {
            self.blobs().open_kept(bytes, path)
        } else {
            Ok(bytes)
        }
    }

    /// The inspection an inbox file belongs to; refuses a path outside the inbox.
    fn inbox_owner(&self, path: &Path) -> Result<String> {
        let inbox = self.inbox_dir();
        let owner = path
            .parent()
            .filter(|p| p.parent() == Some(inbox.as_path()))
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .filter(|n| *n != INCOMPLETE);
        owner.map(str::to_string).ok_or_else(|| {
            Error::Invalid(format!(
                "{} is not a photo in this store's inbox",
                path.display()
            ))
        })
    }

    /// Attaches every photo a killed app left in the inbox (run at start). Whole images are
    /// attached and their files removed; the others are kept sealed and reported.
    pub fn recover_inbox(&self) -> Result<Vec<Recovered>> {
        let inbox = self.inbox_dir();
        let mut out = Vec::new();
        let Ok(dirs) = std::fs::read_dir(&inbox) else {
            return Ok(out);
        };
        let mut dirs: Vec<_> = dirs.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        dirs.sort();
        for dir in dirs {
            let Some(inspection_id) = dir.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if inspection_id == INCOMPLETE || !dir.is_dir() {
                continue;
            }
            let inspection_id = inspection_id.to_string();
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .map_err(Error::io(&dir))?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            // Read once per inspection; photos attached below are added to the set.
            let mut held: Option<std::collections::HashSet<String>> = self
                .inspection(&inspection_id)
                .ok()
                .map(|i| i.photos.into_iter().map(|p| p.sha256).collect());
            for path in files {
                let raw = std::fs::read(&path).map_err(Error::io(&path))?;
                // Sealed when the app kept it; in the clear when an app from before encryption
                // left it.
                let sealed = seal::is_sealed(&raw);
                let Some(held) = held.as_mut() else {
                    // Kept for whoever restores its inspection, sealed.
                    let path = if sealed {
                        path
                    } else {
                        let kept = with_sealed_name(&path);
                        self.blobs().keep_aside(&raw, &kept)?;
                        std::fs::remove_file(&path).map_err(Error::io(&path))?;
                        kept
                    };
                    out.push(Recovered::Orphan {
                        inspection_id: inspection_id.clone(),
                        path,
                    });
                    continue;
                };
                // The whole image, or what to keep aside: nothing for a sealed file (it is
                // moved as it is), the camera's bytes for a plain one.
                let photo = if sealed {
                    self.blobs()
                        .open_kept(raw, &path)
                        .ok()
                        .filter(|b| is_whole_image(b))
                        .ok_or(None)
                } else if is_whole_image(&raw) {
                    Ok(raw)
                } else {
                    Err(Some(raw))
                };
                let bytes = match photo {
                    Ok(bytes) => bytes,
                    Err(plain) => {
                        // Cut short by the camera, or a sealed file that no longer opens: kept
                        // aside, sealed, never deleted.
                        let aside = inbox.join(INCOMPLETE).join(&inspection_id);
                        std::fs::create_dir_all(&aside).map_err(Error::io(&aside))?;
                        let kept_at =
                            with_sealed_name(&aside.join(path.file_name().unwrap_or_default()));
                        match plain {
                            None => {
                                std::fs::rename(&path, &kept_at).map_err(Error::io(&kept_at))?;
                                crate::blobs::sync_dir(&aside)?;
                            }
                            Some(plain) => {
                                self.blobs().keep_aside(&plain, &kept_at)?;
                                std::fs::remove_file(&path).map_err(Error::io(&path))?;
                            }
                        }
                        out.push(Recovered::Incomplete {
                            inspection_id: inspection_id.clone(),
                            kept_at,
                        });
                        continue;
                    }
                };
                let sha256 = crate::blobs::sha256_hex(&bytes);
                if held.insert(sha256.clone()) {
                    self.add_photo_bytes(&inspection_id, &bytes, PhotoInput::default())?;
                }
                std::fs::remove_file(&path).map_err(Error::io(&path))?;
                out.push(Recovered::Attached {
                    inspection_id: inspection_id.clone(),
                    sha256,
                });
            }
        }
        Ok(out)
    }
}

/// Every file in the inbox of the store in `dir`, sealed or not: what a change of the store key,
/// or the encryption of a plain store, seals again under the new key.
pub(crate) fn inbox_files(dir: &Path) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(());
        };
        for entry in entries {
            let path = entry.map_err(Error::io(dir))?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(&dir.join(INBOX), &mut out)?;
    out.sort();
    Ok(out)
}

/// `path` with `.sealed` added to its name (unless it ends so already).
fn with_sealed_name(path: &Path) -> PathBuf {
    if path.to_string_lossy().ends_with(SEALED) {
        return path.to_path_buf();
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(SEALED);
    path.with_file_name(name)
}

/// Whether `bytes` hold a whole image: a JPEG that reaches its end marker, a PNG that reaches
/// its IEND chunk; other recognised formats (HEIC, WebP) by their declared length.
pub fn is_whole_image(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        // Some cameras pad after the end marker.
        let tail = &bytes[bytes.len().saturating_sub(4096)..];
        return tail.windows(2).any(|w| w == [0xFF, 0xD9]);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return bytes.len() >= 12 && &bytes[bytes.len() - 8..bytes.len() - 4] == b"IEND";
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        let declared = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        return bytes.len() >= declared + 8;
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        // ISO boxes: walk them; the file is whole when the boxes end exactly at its end.
        let mut at = 0usize;
        while at + 8 <= bytes.len() {
            let size = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
                as usize;
            if size < 8 {
                return false;
            }
            at += size;
        }
        return at == bytes.len();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_whole_images_from_cut_ones() {
        let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[0u8; 100], &[0xFF, 0xD9]].concat();
        assert!(is_whole_image(&jpeg));
        assert!(!is_whole_image(&jpeg[..50]));
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(&[0, 0, 0, 0]);
        png.extend_from_slice(b"IEND");
        png.extend_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
        assert!(is_whole_image(&png));
        assert!(!is_whole_image(&png[..png.len() - 3]));
        assert!(!is_whole_image(b"not an image"));
    }
}
