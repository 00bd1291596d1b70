//! Type erasure for endpoints: the simulator stores machines of any type behind one trait and
//! hands them back typed through [`EndpointId`].

use sansrtc_proto::{Receive, SansIo, Transmit};
use std::any::Any;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::time::Instant;

/// A typed handle to an endpoint added to a [`crate::Sim`].
pub struct EndpointId<T> {
    pub(crate) index: usize,
    marker: PhantomData<fn() -> T>,
}

impl<T> EndpointId<T> {
    pub(crate) const fn new(index: usize) -> Self {
        Self {
            index,
            marker: PhantomData,
        }
    }

    /// Position of the endpoint in the simulation, in the order endpoints were added.
    pub const fn index(&self) -> usize {
        self.index
    }
}

impl<T> Clone for EndpointId<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for EndpointId<T> {}

impl<T> Debug for EndpointId<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EndpointId({})", self.index)
    }
}

/// The object-safe face of a [`SansIo`] machine.
pub(crate) trait Node {
    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), String>;
    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit>;
    fn poll_timeout(&self) -> Option<Instant>;
    fn handle_timeout(&mut self, now: Instant);
    /// Moves pending events into the machine's event list and renders each for the trace.
    fn drain_events(&mut self, rendered: &mut Vec<String>);
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// A machine plus the events it emitted that the test has not taken yet.
pub(crate) struct Machine<T: SansIo> {
    pub(crate) inner: T,
    pub(crate) events: Vec<T::Event>,
}

impl<T> Node for Machine<T>
where
    T: SansIo + 'static,
    T::Event: Debug + 'static,
    T::Error: Debug,
{
    fn handle_receive(&mut self, now: Instant, receive: Receive<'_>) -> Result<(), String> {
        self.inner
            .handle_receive(now, receive)
            .map_err(|e| format!("{e:?}"))
    }

    fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<Transmit> {
        self.inner.poll_transmit(now, buf)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.inner.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.inner.handle_timeout(now);
    }

    fn drain_events(&mut self, rendered: &mut Vec<String>) {
        while let Some(event) = self.inner.poll_event() {
            rendered.push(format!("{event:?}"));
            self.events.push(event);
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
