//! A delivery on its way to many sockets, with its encodings computed once.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use hearth_app::realtime::Delivery;

/// The wire formats a frame can be encoded in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// The native WebSocket protocol's JSON text.
    NativeJson = 0,
    /// Socket.IO's event packet.
    SocketIo = 1,
}

const ENCODINGS: usize = 2;

/// One delivery, shared by every connection that receives it.
#[derive(Debug)]
pub struct Frame {
    /// What is delivered.
    pub delivery: Arc<Delivery>,
    encodings: [OnceLock<Box<dyn Any + Send + Sync>>; ENCODINGS],
}

impl Frame {
    /// Wraps a delivery.
    pub fn new(delivery: Arc<Delivery>) -> Self {
        Self {
            delivery,
            encodings: Default::default(),
        }
    }

    /// The frame in `encoding`, made by `encode` the first time any connection asks and shared
    /// (cloned, so `T` should be cheap to clone, like `Bytes`) after that.
    pub fn encoded<T: Clone + Send + Sync + 'static>(
        &self,
        encoding: Encoding,
        encode: impl FnOnce(&Delivery) -> T,
    ) -> Option<T> {
        let slot = self.encodings.get(encoding as usize)?;
        let value = slot.get_or_init(|| Box::new(encode(&self.delivery)));
        value.downcast_ref::<T>().cloned()
    }
}
