//! RTCP packets (RFC 3550 §6, RFC 4585, RFC 5104, RFC 5506, RFC 3611, transport-wide congestion
//! control feedback): zero-copy views, compound iteration and builders.
