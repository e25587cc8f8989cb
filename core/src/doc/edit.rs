//! Field-level writes inside one change. Every write compares with what is there and writes only
//! a real difference, so repeating an edit adds nothing and cannot create a false conflict; a
//! write over a conflicted field resolves it.

use automerge::{
    AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value, transaction::Transactable,
};

use crate::error::{Error, Result};

/// A value of a document field.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    F64(f64),
    Int(i64),
}

impl Scalar {
    fn to_automerge(&self) -> ScalarValue {
        match self {
            Scalar::Str(s) => ScalarValue::Str(s.as_str().into()),
            Scalar::F64(f) => ScalarValue::F64(*f),
            Scalar::Int(i) => ScalarValue::Int(*i),
        }
    }

    fn same_as(&self, v: &ScalarValue) -> bool {
        match (self, v) {
            (Scalar::Str(a), ScalarValue::Str(b)) => a.as_str() == b.as_str(),
            (Scalar::F64(a), ScalarValue::F64(b)) => a == b,
            (Scalar::Int(a), ScalarValue::Int(b)) => a == b,
            (Scalar::Int(a), ScalarValue::Uint(b)) => u64::try_from(*a).ok() == Some(*b),
            _ => false,
        }
    }
}

impl From<&str> for Scalar {
    fn from(s: &str) -> Self {
        Scalar::Str(s.to_string())
    }
}
impl From<String> for Scalar {
    fn from(s: String) -> Self {
        Scalar::Str(s)
    }
}
impl From<f64> for Scalar {
    fn from(f: f64) -> Self {
        Scalar::F64(f)
    }
}
impl From<u32> for Scalar {
    fn from(i: u32) -> Self {
        Scalar::Int(i64::from(i))
    }
}
impl From<i64> for Scalar {
    fn from(i: i64) -> Self {
        Scalar::Int(i)
    }
}

/// Writes to one document inside one change (see [`super::Document::change`]).
pub struct Edit<'a> {
    doc: &'a mut AutoCommit,
}

/// The document root.
pub const ROOT: ObjId = automerge::ROOT;

/// The key that marks a list element removed; its value is when.
pub const REMOVED: &str = "removed";

impl<'a> Edit<'a> {
    pub(super) fn new(doc: &'a mut AutoCommit) -> Self {
        Self { doc }
    }

    /// How many operations this edit has made so far (a write of an unchanged value makes none).
    pub fn ops(&self) -> usize {
        automerge::transaction::Transactable::pending_ops(self.doc)
    }

    /// Runs `write` and adds `name` to `changed` when it changed the document.
    pub fn noting(
        &mut self,
        changed: &mut Vec<&'static str>,
        name: &'static str,
        write: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        let before = self.ops();
        write(self)?;
        if self.ops() > before {
            changed.push(name);
        }
        Ok(())
    }

    /// Sets `key` of map `obj` to `value`, or removes it for `None`. No-op when unchanged.
    pub fn set(&mut self, obj: &ObjId, key: &str, value: Option<Scalar>) -> Result<()> {
        let current = self.doc.get_all(obj, key)?;
        match value {
            Some(v) => {
                let unchanged =
                    current.len() == 1 && matches!(&current[0].0, Value::Scalar(s) if v.same_as(s));
                if !unchanged {
                    self.doc.put(obj, key, v.to_automerge())?;
                }
            }
            None => {
                if !current.is_empty() {
                    self.doc.delete(obj, key)?;
                }
            }
        }
        Ok(())
    }

    /// Sets `key` only if `value` is given (patch semantics: `None` leaves the field alone).
    pub fn set_some<V: Into<Scalar>>(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: Option<V>,
    ) -> Result<()> {
        match value {
            Some(v) => self.set(obj, key, Some(v.into())),
            None => Ok(()),
        }
    }

    /// Sets a free-text field from a patch: `None` leaves it, an empty string clears it.
    pub fn set_text_field(&mut self, obj: &ObjId, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            None => Ok(()),
            Some(v) => self.set(obj, key, crate::model::clean_text(v).map(Scalar::Str)),
        }
    }

    /// The map at `key` of `obj`, created if missing.
    pub fn map(&mut self, obj: &ObjId, key: &str) -> Result<ObjId> {
        self.object(obj, key, ObjType::Map)
    }

    /// The list at `key` of `obj`, created if missing.
    pub fn list(&mut self, obj: &ObjId, key: &str) -> Result<ObjId> {
        self.object(obj, key, ObjType::List)
    }

    fn object(&mut self, obj: &ObjId, key: &str, kind: ObjType) -> Result<ObjId> {
        match self.doc.get(obj, key)? {
            Some((Value::Object(k), id)) if k == kind => Ok(id),
            _ => Ok(self.doc.put_object(obj, key, kind)?),
        }
    }

    /// Makes the list of strings at `key` equal `wanted`, keeping elements that stay and
    /// touching only what differs, so a concurrent addition elsewhere in the list survives.
    pub fn set_strings(&mut self, obj: &ObjId, key: &str, wanted: &[String]) -> Result<()> {
        let list = self.list(obj, key)?;
        let mut current = self.strings(&list)?;
        // Remove what is no longer wanted (from the end so indices stay valid).
        for i in (0..current.len()).rev() {
            if !wanted.contains(&current[i]) {
                self.doc.delete(&list, i)?;
                current.remove(i);
            }
        }
        for (i, item) in wanted.iter().enumerate() {
            if current.get(i) == Some(item) {
                continue;
            }
            if let Some(j) = current[i..].iter().position(|c| c == item).map(|p| p + i) {
                self.doc.delete(&list, j)?;
                current.remove(j);
            }
            self.doc.insert(&list, i, item.as_str())?;
            current.insert(i, item.clone());
        }
        for i in (wanted.len()..current.len()).rev() {
            self.doc.delete(&list, i)?;
        }
        Ok(())
    }

    fn strings(&self, list: &ObjId) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for i in 0..self.doc.length(list) {
            if let Some((Value::Scalar(s), _)) = self.doc.get(list, i)? {
                out.push(match s.as_ref() {
                    ScalarValue::Str(s) => s.to_string(),
                    other => other.to_string(),
                });
            }
        }
        Ok(out)
    }

    /// Appends a new map to the list at `key` and returns it.
    pub fn push_map(&mut self, obj: &ObjId, key: &str) -> Result<ObjId> {
        let list = self.list(obj, key)?;
        let len = self.doc.length(&list);
        Ok(self.doc.insert_object(&list, len, ObjType::Map)?)
    }

    /// The element of the list at `key` whose `id` field is `id`, removed or not.
    pub fn find_by_id(&self, obj: &ObjId, key: &str, id: &str) -> Result<Option<ObjId>> {
        Ok(self
            .elements(obj, key)?
            .into_iter()
            .find(|(i, _)| i == id)
            .map(|(_, o)| o))
    }

    /// The `id` and object of every element of the list at `key`, removed ones included.
    fn elements(&self, obj: &ObjId, key: &str) -> Result<Vec<(String, ObjId)>> {
        let mut out = Vec::new();
        let Some((Value::Object(ObjType::List), list)) = self.doc.get(obj, key)? else {
            return Ok(out);
        };
        for i in 0..self.doc.length(&list) {
            if let Some((Value::Object(ObjType::Map), elem)) = self.doc.get(&list, i)?
                && let Some((Value::Scalar(s), _)) = self.doc.get(&elem, "id")?
            {
                let id = match s.as_ref() {
                    ScalarValue::Str(v) => v.to_string(),
                    other => other.to_string(),
                };
                out.push((id, elem));
            }
        }
        Ok(out)
    }

    /// Whether the element has been marked removed.
    pub fn is_removed(&self, elem: &ObjId) -> Result<bool> {
        Ok(!self.doc.get_all(elem, REMOVED)?.is_empty())
    }

    /// The `id` of every element of the list at `key` that has not been removed, in order.
    pub fn live_ids(&self, obj: &ObjId, key: &str) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        for (id, elem) in self.elements(obj, key)? {
            if !self.is_removed(&elem)? {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// The element of the list at `key` with this `id` that has not been removed; an unknown
    /// or removed id is an error naming `kind`.
    pub fn require_by_id(
        &self,
        obj: &ObjId,
        key: &str,
        kind: &'static str,
        id: &str,
    ) -> Result<ObjId> {
        match self.find_by_id(obj, key, id)? {
            Some(elem) if !self.is_removed(&elem)? => Ok(elem),
            _ => Err(Error::NotFound {
                kind,
                id: id.to_string(),
            }),
        }
    }

    /// Marks the element with this `id` removed at `at`. Elements stay in their list: a removal
    /// that races a colleague's edit of the element must stay visible as a conflict (see
    /// [`super::Document::conflicts`]), which a deleted element could not.
    pub fn remove_by_id(
        &mut self,
        obj: &ObjId,
        key: &str,
        kind: &'static str,
        id: &str,
        at: &str,
    ) -> Result<()> {
        let elem = self.require_by_id(obj, key, kind, id)?;
        self.doc.put(&elem, REMOVED, at)?;
        Ok(())
    }

    /// Marks the element with this `id` removed again, also when it already is (confirming a
    /// removal that raced an edit settles the conflict).
    pub fn confirm_removed(&mut self, elem: &ObjId, at: &str) -> Result<()> {
        self.doc.put(elem, REMOVED, at)?;
        Ok(())
    }

    /// Brings back a removed element, with every edit made to it.
    pub fn restore(&mut self, elem: &ObjId) -> Result<()> {
        if self.is_removed(elem)? {
            self.doc.delete(elem, REMOVED)?;
        }
        Ok(())
    }
}
