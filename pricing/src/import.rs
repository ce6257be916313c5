//! Imports of the AWS Price List files (written by the pricing helper; see module docs there).
