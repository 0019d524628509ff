//! A generational slab: live items by index, freed slots reused, and a
//! generation per slot so a stale reference (an event for a request that a
//! crash already destroyed) is recognised instead of hitting a stranger.

/// A reference to a slab item: slot and generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub slot: u32,
    pub gen: u32,
}

impl Key {
    pub const NONE: Key = Key { slot: u32::MAX, gen: 0 };

    pub fn is_none(self) -> bool {
        self.slot == u32::MAX
    }

    /// Packed into one word for hashing.
    pub fn word(self) -> u64 {
        ((self.slot as u64) << 32) | self.gen as u64
    }
}

#[derive(Clone, Debug)]
struct Slot<T> {
    gen: u32,
    item: Option<T>,
}

#[derive(Clone, Debug)]
pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    live: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { slots: Vec::new(), free: Vec::new(), live: 0 }
    }
}

impl<T> Slab<T> {
    #[inline]
    pub fn insert(&mut self, item: T) -> Key {
        self.live += 1;
        if let Some(slot) = self.free.pop() {
            let s = &mut self.slots[slot as usize];
            s.item = Some(item);
            Key { slot, gen: s.gen }
        } else {
            let slot = self.slots.len() as u32;
            self.slots.push(Slot { gen: 0, item: Some(item) });
            Key { slot, gen: 0 }
        }
    }

    #[inline]
    pub fn get(&self, k: Key) -> Option<&T> {
        match self.slots.get(k.slot as usize) {
            Some(s) if s.gen == k.gen => s.item.as_ref(),
            _ => None,
        }
    }

    #[inline]
    pub fn get_mut(&mut self, k: Key) -> Option<&mut T> {
        match self.slots.get_mut(k.slot as usize) {
            Some(s) if s.gen == k.gen => s.item.as_mut(),
            _ => None,
        }
    }

    #[inline]
    pub fn remove(&mut self, k: Key) -> Option<T> {
        let s = self.slots.get_mut(k.slot as usize)?;
        if s.gen != k.gen {
            return None;
        }
        let item = s.item.take()?;
        s.gen = s.gen.wrapping_add(1);
        self.free.push(k.slot);
        self.live -= 1;
        Some(item)
    }

    /// Removes the item at `k` and returns what `f` reads of it: for a big
    /// item of which the caller needs a few fields, cheaper than moving it
    /// out whole (the same slot and generation bookkeeping as `remove`).
    #[inline]
    pub fn remove_with<R>(&mut self, k: Key, f: impl FnOnce(&T) -> R) -> Option<R> {
        let s = self.slots.get_mut(k.slot as usize)?;
        if s.gen != k.gen {
            return None;
        }
        let read = f(s.item.as_ref()?);
        s.item = None;
        s.gen = s.gen.wrapping_add(1);
        self.free.push(k.slot);
        self.live -= 1;
        Some(read)
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Live items in slot order (deterministic).
    pub fn iter(&self) -> impl Iterator<Item = (Key, &T)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.item.as_ref().map(|item| (Key { slot: i as u32, gen: s.gen }, item)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_keys_miss() {
        let mut s = Slab::default();
        let a = s.insert(1);
        assert_eq!(s.remove(a), Some(1));
        let b = s.insert(2);
        assert_eq!(a.slot, b.slot);
        assert_eq!(s.get(a), None);
        assert_eq!(s.get(b), Some(&2));
        assert_eq!(s.len(), 1);
    }
}
