//! Where HTTP meets verification, for any framework: finding the token in a
//! request, answering a refusal, and what a handler can ask for.

pub(crate) mod credentials;
pub(crate) mod extractors;
pub(crate) mod owner;
pub(crate) mod response;
