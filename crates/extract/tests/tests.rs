//! Integration tests of quire-extract: documents built from layout text, classified and extracted with the
//! built-in templates, values and rule results checked.

mod extraction;
mod real_layouts;
mod validation;
