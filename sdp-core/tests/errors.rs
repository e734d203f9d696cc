//! Strict mode: every malformed line is a typed error with its line and column. Lenient mode: warnings,
//! and the description is still usable. Limits. And no input makes any entry point panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_sdp_core::offer_answer::{create_answer, AnswerConfig, Codec, MediaCapabilities};
use rtcweb_sdp_core::owned::Description;
use rtcweb_sdp_core::{ErrorKind, Limits, Mode, ParseError, ParseOptions, SessionDescription};

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";

fn strict_err(body: &str) -> ParseError {
    let s = format!("{HEAD}{body}");
    SessionDescription::parse(s.as_bytes()).expect_err(&s)
}

#[test]
fn malformed_lines_have_line_and_column() {
    let cases: &[(&str, usize, usize)] = &[
        ("m=audio port RTP/AVP 0\r\n", 6, 9),
        ("m=audio 9 RTP/AVP\r\n", 6, 18),
        ("m=audio 9 RTP/AVP 0\r\nc=IN IP4\r\n", 7, 9),
        ("m=audio 9 RTP/AVP 0\r\nb=AS:x\r\n", 7, 6),
        ("m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", 7, 17),
        ("m=audio 9 RTP/AVP 0\r\na=rtpmap:x PCMU/8000\r\n", 7, 10),
        ("m=audio 9 RTP/AVP 0\r\na=rtcp-mux:yes\r\n", 7, 12),
        ("m=audio 9 RTP/AVP 0\r\na=mid\r\n", 7, 7),
        ("m=audio 9 RTP/AVP 0\r\na=setup:sideways\r\n", 7, 9),
        (
            "m=audio 9 RTP/AVP 0\r\na=fingerprint:sha-256 AB:C\r\n",
            7,
            26,
        ),
        (
            "m=audio 9 RTP/AVP 0\r\na=candidate:1 1 udp 1 192.0.2.1 9 host\r\n",
            7,
            35,
        ),
        (
            "m=audio 9 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:***\r\n",
            7,
            43,
        ),
        ("m=audio 9 RTP/AVP 0\r\na=extmap:0 urn:x\r\n", 7, 10),
        ("m=audio 9 RTP/AVP 0\r\na=ice-ufrag:ab\r\n", 7, 13),
        ("m=audio 9 RTP/AVP 0\r\na=ssrc:12a cname:x\r\n", 7, 8),
        ("m=audio 9 RTP/AVP 0\r\na=sctp-port:99999\r\n", 7, 13),
        ("m=audio 9 RTP/AVP 0\r\na=simulcast:both a\r\n", 7, 13),
        ("m=audio 9 RTP/AVP 0\r\nt=0 0\r\n", 7, 1),
        ("m=audio 9 RTP/AVP 0\r\nx\r\n", 7, 2),
        ("m=audio 9 RTP/AVP 0\r\n\r\na=mid:0\r\n", 7, 1),
        ("m=audio 9 RTP/AVP 0\r\na=na me:x\r\n", 7, 3),
        ("s=again\r\n", 6, 1),
    ];
    let mut bad = 0;
    for (body, line, column) in cases {
        let e = strict_err(body);
        if (e.line, e.column) != (*line, *column) {
            eprintln!("{body:?} => {e}, expected column {column}");
            bad += 1;
        }
        assert!(e.to_string().starts_with(&format!("line {line}: ")), "{e}");
    }
    assert_eq!(bad, 0);
}

#[test]
fn rfc8866_connection_order_and_nul() {
    // §5.7: no c= in the media section and none at session level.
    let no_c = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=sendrecv\r\n";
    let e = SessionDescription::parse(no_c.as_bytes()).unwrap_err();
    assert_eq!((e.line, e.kind), (5, ErrorKind::MissingConnection));
    // ... fine when every section has one, or the session has one, or the section is rejected.
    let per_media =
        "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\n\
                     m=video 0 RTP/AVP 96\r\n";
    assert!(SessionDescription::parse(per_media.as_bytes()).is_ok());
    let e = SessionDescription::parse(format!("{per_media}m=audio 7 RTP/AVP 0\r\n").as_bytes())
        .unwrap_err();
    assert_eq!((e.line, e.kind), (8, ErrorKind::MissingConnection));
    // §5: the session c= comes before t=.
    let late_c =
        "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nc=IN IP4 192.0.2.1\r\nm=audio 9 RTP/AVP 0\r\n";
    let e = SessionDescription::parse(late_c.as_bytes()).unwrap_err();
    assert_eq!(
        (e.line, e.kind),
        (
            5,
            ErrorKind::OutOfOrder {
                found: 'c',
                after: 't'
            }
        )
    );
    // Repeated time descriptions (t= r= t=) are in order.
    let times = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=1 2\r\nr=7d 1h 0\r\nt=3 4\r\nz=0 0\r\na=x\r\n";
    assert!(SessionDescription::parse(times.as_bytes()).is_ok());
    // §9: no NUL in any field.
    let nul = "v=0\r\no=- 1 1 IN IP4 h\r\ns=ab\0cd\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";
    let e = SessionDescription::parse(nul.as_bytes()).unwrap_err();
    assert_eq!((e.line, e.column, e.kind), (3, 5, ErrorKind::Nul));
    // Lenient mode accepts each with a warning naming the line.
    for (text, line) in [(no_c, 5), (late_c, 5), (nul, 3)] {
        let mut warnings = Vec::new();
        SessionDescription::parse_with(text.as_bytes(), &ParseOptions::lenient(), |w| {
            warnings.push(w)
        })
        .unwrap();
        assert_eq!(
            warnings.iter().map(|w| w.line).collect::<Vec<_>>(),
            [line],
            "{text:?}"
        );
    }
}

#[test]
fn structural_errors() {
    let e = SessionDescription::parse(b"").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Empty);
    let e = SessionDescription::parse(b"v=1\r\n").unwrap_err();
    assert_eq!((e.line, e.kind), (1, ErrorKind::BadVersion));
    let e = SessionDescription::parse(b"v=0\r\ns=-\r\n").unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::UnexpectedLine {
            found: 's',
            expected: 'o'
        }
    );
    let e = SessionDescription::parse(b"v=0\r\no=- 1 1 IN IP4 h\r\n").unwrap_err();
    assert_eq!((e.line, e.kind), (3, ErrorKind::MissingLine { kind: 's' }));
    let e = SessionDescription::parse(b"v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\n")
        .unwrap_err();
    assert_eq!((e.line, e.kind), (4, ErrorKind::MissingLine { kind: 't' }));
    let e = SessionDescription::parse(b"v=0\r\no=- 1 1 IN IP4 h\r\ns=\xff\r\n").unwrap_err();
    assert_eq!((e.line, e.column, e.kind), (3, 3, ErrorKind::NotUtf8));
    // Trailing blank lines (after a SIP body) are fine and kept.
    let text = format!("{HEAD}m=audio 9 RTP/AVP 0\r\n\r\n\r\n");
    let d = SessionDescription::parse(text.as_bytes()).unwrap();
    assert_eq!(d.to_string(), text);
}

#[test]
fn lenient_mode_warns_and_keeps_going() {
    let text = format!(
        "{HEAD}m=audio 9 RTP/AVP 0 8\r\na=rtpmap:0 PCMU\r\na=rtpmap:8 PCMA/8000\r\nbogus line\r\n\
         a=rtcp-mux:1\r\nb=AS:x\r\nc=IN IP4 192.0.2.9\r\na=mid:a\r\n"
    );
    let mut warnings = Vec::new();
    let d = SessionDescription::parse_with(text.as_bytes(), &ParseOptions::lenient(), |w| {
        warnings.push(w)
    })
    .unwrap();
    let lines: Vec<_> = warnings.iter().map(|w| w.line).collect();
    // Out of order too: b= and c= after a= (RFC 8866 §5), line 11 twice (order, then value).
    assert_eq!(lines, [7, 9, 10, 11, 11, 12]);
    assert!(d.is_lenient());
    let m = d.media().next().unwrap();
    assert_eq!(m.rtpmaps().count(), 1);
    assert_eq!(m.mid(), Some("a"));
    assert_eq!(m.connection().unwrap().address, "192.0.2.9");
    assert_eq!(m.bandwidths().count(), 0);
    // Byte-exact still, malformed lines included; the owned copy drops only the line without `=`.
    assert_eq!(d.to_string(), text);
    assert_eq!(Description::from_view(&d).media[0].fields.len(), 6);
    // Lenient mode still refuses a broken m= line.
    let bad = format!("{HEAD}m=audio x RTP/AVP 0\r\n");
    assert!(
        SessionDescription::parse_with(bad.as_bytes(), &ParseOptions::lenient(), |_| {}).is_err()
    );
    // And missing t= is only a warning.
    let mut n = 0;
    SessionDescription::parse_with(
        b"v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\n",
        &ParseOptions::lenient(),
        |_| n += 1,
    )
    .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn many_blank_lines_stay_linear() {
    // 8000 blank lines in the middle: lenient mode warns for each and stays fast (no rescans).
    let text = format!("{HEAD}{}m=audio 9 RTP/AVP 0\r\n", "\r\n".repeat(8000));
    let mut n = 0;
    let d = SessionDescription::parse_with(text.as_bytes(), &ParseOptions::lenient(), |_| n += 1)
        .unwrap();
    assert_eq!((n, d.media_count()), (8000, 1));
    let trailing = format!("{HEAD}m=audio 9 RTP/AVP 0\r\n{}", "\r\n".repeat(8000));
    assert!(SessionDescription::parse(trailing.as_bytes()).is_ok());
}

#[test]
fn limits_are_enforced() {
    let opts = |limits| ParseOptions {
        mode: Mode::Lenient,
        limits,
    };
    let many = format!("{HEAD}{}", "m=audio 9 RTP/AVP 0\r\n".repeat(5));
    let e = SessionDescription::parse_with(
        many.as_bytes(),
        &opts(Limits {
            max_media: 4,
            ..Limits::default()
        }),
        |_| {},
    )
    .unwrap_err();
    assert_eq!((e.line, e.kind), (10, ErrorKind::TooManyMedia { limit: 4 }));
    let e = SessionDescription::parse_with(
        many.as_bytes(),
        &opts(Limits {
            max_lines: 6,
            ..Limits::default()
        }),
        |_| {},
    )
    .unwrap_err();
    assert_eq!((e.line, e.kind), (7, ErrorKind::TooManyLines { limit: 6 }));
    let long = format!("{HEAD}a=x:{}\r\n", "y".repeat(100));
    let e = SessionDescription::parse_with(
        long.as_bytes(),
        &opts(Limits {
            max_line_len: 64,
            ..Limits::default()
        }),
        |_| {},
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::LineTooLong { limit: 64 });
}

fn exercise(bytes: &[u8], cfg: &AnswerConfig) {
    // The owned parse validates and copies in one pass: the same outcome as a strict parse
    // followed by a copy of the view.
    assert_eq!(
        Description::parse(bytes),
        SessionDescription::parse(bytes).map(|d| Description::from_view(&d))
    );
    for opts in [ParseOptions::default(), ParseOptions::lenient()] {
        let Ok(d) = SessionDescription::parse_with(bytes, &opts, |_| {}) else {
            continue;
        };
        let mut out = vec![0u8; d.serialized_len()];
        assert_eq!(d.write_to(&mut out).unwrap(), bytes.len());
        assert_eq!(out, bytes);
        let _ = (
            d.connection(),
            d.bandwidths().count(),
            d.attribute_values().count(),
            d.bundle_group(),
        );
        for m in d.media() {
            let _ = (
                m.direction(),
                m.mid(),
                m.connection(),
                m.attribute_values().count(),
                m.is_rejected(),
            );
            for c in m.candidates() {
                let _ = c.to_string();
            }
            for c in m.cryptos() {
                let _ = c.key().map(|k| k.key_salt());
            }
        }
        let owned = Description::from_view(&d);
        let _ = owned.to_sdp();
        let _ = create_answer(&d, cfg);
    }
}

/// Deterministic mutations of every fixture: truncation at every line, and byte substitutions.
#[test]
fn mutated_fixtures_never_panic() {
    let mut cfg = AnswerConfig::new("0.0.0.0", 9);
    cfg.fingerprint = Some(("sha-256".into(), "AA".into()));
    cfg.data_channel = Some(65_536);
    cfg.media.push(MediaCapabilities::new(
        "audio",
        vec![Codec::new("opus", 48000, 2), Codec::new("PCMU", 8000, 1)],
    ));
    cfg.media.push(MediaCapabilities::new(
        "video",
        vec![Codec::new("VP8", 90000, 1), Codec::new("rtx", 90000, 1)],
    ));
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sdp") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        exercise(&bytes, &cfg);
        for (i, _) in bytes.iter().enumerate().filter(|(_, b)| **b == b'\n') {
            exercise(&bytes[..i], &cfg);
        }
        let mut state = 0x9e37_79b9_u32;
        for _ in 0..120 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let mut m = bytes.clone();
            let at = state as usize % m.len();
            m[at] = b" :/=\r\n0a;~\xff"[(state >> 24) as usize % 11];
            exercise(&m, &cfg);
        }
    }
}
