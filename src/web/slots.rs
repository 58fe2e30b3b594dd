//! The parts in flight of every upload of one `Uploader`: a first-come, first-served semaphore, so files added later
//! share the concurrency limit instead of adding to it.
use js_sys::{Function, Promise};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

pub struct Slots {
    free: Cell<usize>,
    waiting: RefCell<VecDeque<Rc<Waiter>>>,
}

struct Waiter {
    resolve: RefCell<Option<Function>>,
    /// A slot was handed to it (released slots go straight to the first waiter).
    granted: Cell<bool>,
}

/// A slot held: given back when dropped (the part ended, failed or was aborted).
pub struct Slot(Rc<Slots>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// A place in the queue; leaving it (the part was aborted while waiting) passes on a slot it was just given.
struct InQueue {
    slots: Rc<Slots>,
    waiter: Rc<Waiter>,
}

impl Drop for InQueue {
    fn drop(&mut self) {
        if self.waiter.granted.get() {
            self.slots.release();
        } else {
            self.slots.waiting.borrow_mut().retain(|w| !Rc::ptr_eq(w, &self.waiter));
        }
    }
}

impl Slots {
    pub fn new(count: usize) -> Rc<Self> {
        Rc::new(Self { free: Cell::new(count.max(1)), waiting: RefCell::default() })
    }

    /// A slot at once, if one is free and nobody is waiting for one.
    pub fn try_acquire(self: &Rc<Self>) -> Option<Slot> {
        if self.free.get() == 0 || !self.waiting.borrow().is_empty() {
            return None;
        }
        self.free.set(self.free.get() - 1);
        Some(Slot(self.clone()))
    }

    pub async fn acquire(self: &Rc<Self>) -> Slot {
        if let Some(slot) = self.try_acquire() {
            return slot;
        }
        let waiter = Rc::new(Waiter { resolve: RefCell::default(), granted: Cell::new(false) });
        let promise = Promise::new(&mut |resolve, _| *waiter.resolve.borrow_mut() = Some(resolve));
        self.waiting.borrow_mut().push_back(waiter.clone());
        let place = InQueue { slots: self.clone(), waiter };
        let _ = JsFuture::from(promise).await;
        // The slot now belongs to the returned guard, not to the place in the queue.
        place.waiter.granted.set(false);
        Slot(self.clone())
    }

    fn release(&self) {
        let next = self.waiting.borrow_mut().pop_front();
        match next {
            Some(waiter) => {
                waiter.granted.set(true);
                if let Some(resolve) = waiter.resolve.borrow_mut().take() {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            }
            None => self.free.set(self.free.get() + 1),
        }
    }
}
