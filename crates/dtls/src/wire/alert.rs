//! Alerts (RFC 5246 §7.2): level and description, two bytes.

use crate::Error;

/// Alert level (RFC 5246 §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertLevel {
    /// warning (1).
    Warning,
    /// fatal (2).
    Fatal,
    /// Any other value, kept.
    Unknown(u8),
}

impl AlertLevel {
    /// The level a wire byte names.
    pub const fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::Warning,
            2 => Self::Fatal,
            other => Self::Unknown(other),
        }
    }

    /// The wire byte.
    pub const fn to_u8(self) -> u8 {
        match self {
            Self::Warning => 1,
            Self::Fatal => 2,
            Self::Unknown(value) => value,
        }
    }
}

/// Alert descriptions (RFC 5246 §7.2, RFC 8446 §6.2 for the later ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlertDescription(pub u8);

impl AlertDescription {
    /// close_notify (0).
    pub const CLOSE_NOTIFY: Self = Self(0);
    /// unexpected_message (10).
    pub const UNEXPECTED_MESSAGE: Self = Self(10);
    /// bad_record_mac (20).
    pub const BAD_RECORD_MAC: Self = Self(20);
    /// record_overflow (22).
    pub const RECORD_OVERFLOW: Self = Self(22);
    /// handshake_failure (40).
    pub const HANDSHAKE_FAILURE: Self = Self(40);
    /// bad_certificate (42).
    pub const BAD_CERTIFICATE: Self = Self(42);
    /// unsupported_certificate (43).
    pub const UNSUPPORTED_CERTIFICATE: Self = Self(43);
    /// certificate_unknown (46).
    pub const CERTIFICATE_UNKNOWN: Self = Self(46);
    /// illegal_parameter (47).
    pub const ILLEGAL_PARAMETER: Self = Self(47);
    /// decode_error (50).
    pub const DECODE_ERROR: Self = Self(50);
    /// decrypt_error (51).
    pub const DECRYPT_ERROR: Self = Self(51);
    /// protocol_version (70).
    pub const PROTOCOL_VERSION: Self = Self(70);
    /// insufficient_security (71).
    pub const INSUFFICIENT_SECURITY: Self = Self(71);
    /// internal_error (80).
    pub const INTERNAL_ERROR: Self = Self(80);
    /// user_canceled (90).
    pub const USER_CANCELED: Self = Self(90);
    /// no_renegotiation (100).
    pub const NO_RENEGOTIATION: Self = Self(100);
    /// unsupported_extension (110).
    pub const UNSUPPORTED_EXTENSION: Self = Self(110);
}

/// An alert message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alert {
    /// The level.
    pub level: AlertLevel,
    /// The description.
    pub description: AlertDescription,
}

impl Alert {
    /// A fatal alert.
    pub const fn fatal(description: AlertDescription) -> Self {
        Self {
            level: AlertLevel::Fatal,
            description,
        }
    }

    /// The close_notify alert (RFC 5246 §7.2.1; sent at warning level).
    pub const CLOSE_NOTIFY: Self = Self {
        level: AlertLevel::Warning,
        description: AlertDescription::CLOSE_NOTIFY,
    };

    /// Reads an alert from a record fragment: exactly two bytes.
    ///
    /// # Errors
    /// [`Error::Malformed`] for any other length.
    pub fn parse(fragment: &[u8]) -> Result<Self, Error> {
        match *fragment {
            [level, description] => Ok(Self {
                level: AlertLevel::from_u8(level),
                description: AlertDescription(description),
            }),
            _ => Err(Error::Malformed {
                what: "alert",
                offset: fragment.len().min(2),
            }),
        }
    }

    /// The two wire bytes.
    pub const fn to_bytes(self) -> [u8; 2] {
        [self.level.to_u8(), self.description.0]
    }
}
