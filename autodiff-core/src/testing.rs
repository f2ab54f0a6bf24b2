//! Finite-difference checks for derivatives (filled in below).
