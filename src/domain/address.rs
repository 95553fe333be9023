//! Address sufficiency: is an address complete and well-formed enough to release (being built).
