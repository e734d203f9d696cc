//! PASSWORD-ALGORITHM and PASSWORD-ALGORITHMS (RFC 8489 §14.11, §14.12, §18.5).

use super::{be16, put, Attribute, AttributeError, AttributeType};
use crate::wire::{padded, TransactionId};

/// One algorithm with its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PasswordAlgorithm<'a> {
    /// The algorithm number: 0x0001 MD5, 0x0002 SHA-256.
    pub algorithm: u16,
    /// Its parameters (empty for both registered ones).
    pub parameters: &'a [u8],
}

impl PasswordAlgorithm<'_> {
    /// MD5 (RFC 8489 §18.5.1.1).
    pub const MD5: u16 = 0x0001;
    /// SHA-256 (RFC 8489 §18.5.1.2).
    pub const SHA256: u16 = 0x0002;
}

fn decode_one(value: &[u8]) -> Result<(PasswordAlgorithm<'_>, &[u8]), AttributeError> {
    let bad = AttributeError::BadLength {
        expected: "4 + parameters, padded",
        got: value.len(),
    };
    let algorithm = be16(value, 0).ok_or(bad)?;
    let len = usize::from(be16(value, 2).ok_or(bad)?);
    let parameters = value.get(4..4 + len).ok_or(bad)?;
    let rest = value.get(4 + padded(len)..).unwrap_or(&[]);
    Ok((
        PasswordAlgorithm {
            algorithm,
            parameters,
        },
        rest,
    ))
}

impl<'a> Attribute<'a> for PasswordAlgorithm<'a> {
    const TYPE: AttributeType = AttributeType::PASSWORD_ALGORITHM;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        let (alg, rest) = decode_one(value)?;
        if rest.is_empty() {
            Ok(alg)
        } else {
            Err(AttributeError::BadLength {
                expected: "one algorithm",
                got: value.len(),
            })
        }
    }
    fn encoded_len(&self) -> usize {
        4 + self.parameters.len()
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, &self.algorithm.to_be_bytes());
        put(out, 2, &(self.parameters.len() as u16).to_be_bytes());
        put(out, 4, self.parameters);
    }
}

/// PASSWORD-ALGORITHMS: the list a server offers, in its order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PasswordAlgorithms<'a>(&'a [u8]);

impl<'a> PasswordAlgorithms<'a> {
    /// Wraps an encoded list (as [`iter`](Self::iter) yields it back).
    pub fn from_encoded(list: &'a [u8]) -> Result<Self, AttributeError> {
        let mut rest = list;
        while !rest.is_empty() {
            rest = decode_one(rest)?.1;
        }
        Ok(PasswordAlgorithms(list))
    }

    /// The algorithms, in order.
    pub fn iter(&self) -> impl Iterator<Item = PasswordAlgorithm<'a>> + 'a {
        let mut rest = self.0;
        core::iter::from_fn(move || {
            let (alg, next) = decode_one(rest).ok()?;
            rest = next;
            Some(alg)
        })
    }
}

impl<'a> Attribute<'a> for PasswordAlgorithms<'a> {
    const TYPE: AttributeType = AttributeType::PASSWORD_ALGORITHMS;
    fn decode(value: &'a [u8], _: &TransactionId) -> Result<Self, AttributeError> {
        PasswordAlgorithms::from_encoded(value)
    }
    fn encoded_len(&self) -> usize {
        self.0.len()
    }
    fn encode(&self, _: &TransactionId, out: &mut [u8]) {
        put(out, 0, self.0)
    }
}
