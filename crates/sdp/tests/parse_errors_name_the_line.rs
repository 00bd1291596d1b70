//! A parse error says which line, shows it, and says what was wrong; hostile input hits the
//! limits with a typed error, never a panic or unbounded work.

use sansrtc_sdp::{Limits, ParseErrorKind, ParseOptions, SessionDescription};

const HEAD: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

fn err(text: &str) -> (usize, ParseErrorKind, String) {
    let e = text.parse::<SessionDescription>().unwrap_err();
    (e.line, e.kind, e.text)
}

fn strict_err(text: &str) -> (usize, ParseErrorKind) {
    let e = SessionDescription::parse_with(text, &ParseOptions::strict()).unwrap_err();
    (e.line, e.kind)
}

#[test]
fn structural_errors_name_line_and_reason() {
    assert_eq!(err("o=- 1 2 IN IP4 x\r\n").1, ParseErrorKind::Missing('v'));
    assert_eq!(
        err("v=1\r\n"),
        (1, ParseErrorKind::BadVersion, "v=1".to_owned())
    );
    assert_eq!(
        err("v=0\r\no=- 1 2 IN IP4\r\n"),
        (
            2,
            ParseErrorKind::MissingField("o= needs 6 fields"),
            "o=- 1 2 IN IP4".to_owned()
        )
    );
    assert_eq!(
        err("v=0\r\no=- x 2 IN IP4 a\r\n").1,
        ParseErrorKind::InvalidField("session id")
    );
    assert_eq!(err("v=0\r\ns=-\r\n").1, ParseErrorKind::Missing('o'));
    assert_eq!(
        err("v=0\r\no=- 1 2 IN IP4 a\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n").1,
        ParseErrorKind::Missing('s')
    );
    assert_eq!(
        err("v=0\r\no=- 1 2 IN IP4 a\r\ns=-\r\n").1,
        ParseErrorKind::Missing('t')
    );
    assert_eq!(
        err(&format!("{HEAD}s=again\r\n")),
        (5, ParseErrorKind::Repeated('s'), "s=again".to_owned())
    );
    assert_eq!(
        err(&format!("{HEAD}m=audio x RTP/AVP 0\r\n")).1,
        ParseErrorKind::InvalidField("port")
    );
    assert_eq!(
        err(&format!("{HEAD}m=audio 9 RTP/AVP\r\n")).1,
        ParseErrorKind::MissingField("format")
    );
    assert_eq!(
        err(&format!("{HEAD}m=audio 9 RTP/AVP 0\r\nt=0 0\r\n")).1,
        ParseErrorKind::OutOfOrder('t')
    );
    assert_eq!(
        err(&format!("{HEAD}m=audio 9 RTP/AVP 0\r\ni=a\r\ni=b\r\n")).1,
        ParseErrorKind::Repeated('i')
    );
    assert_eq!(
        err(&format!("{HEAD}c=IN IP4 1.2.3.4/x\r\n")).1,
        ParseErrorKind::InvalidField("TTL")
    );
    assert_eq!(
        err(&format!("{HEAD}b=AS\r\n")).1,
        ParseErrorKind::MissingField("b=<type>:<value>")
    );
    assert_eq!(
        err(&format!("{HEAD}not a line\r\n")),
        (5, ParseErrorKind::NotALine, "not a line".to_owned())
    );
    assert_eq!(
        err(&format!("{HEAD}r=1 2\r\n")).1,
        ParseErrorKind::MissingField("r= needs 3 fields")
    );
    assert_eq!(
        err(&format!("{HEAD}a=x\r\nr=7d 1h 0\r\n")).1,
        ParseErrorKind::OutOfOrder('r')
    );
}

#[test]
fn strict_mode_enforces_order_and_attribute_grammar() {
    assert_eq!(
        strict_err(&format!("{HEAD}c=IN IP4 1.2.3.4\r\n")),
        (5, ParseErrorKind::OutOfOrder('c'))
    );
    assert_eq!(
        strict_err(&format!(
            "{HEAD}m=audio 9 RTP/AVP 0\r\na=x\r\nc=IN IP4 1.2.3.4\r\n"
        )),
        (7, ParseErrorKind::OutOfOrder('c'))
    );
    assert_eq!(
        strict_err(&format!(
            "{HEAD}m=audio 9 RTP/AVP 0\r\na=candidate:1 1 udp\r\n"
        )),
        (6, ParseErrorKind::InvalidAttribute("priority"))
    );
    assert_eq!(
        strict_err(&format!("{HEAD}a=setup:sideways\r\n")),
        (5, ParseErrorKind::InvalidAttribute("setup"))
    );
    assert_eq!(
        strict_err(&format!("{HEAD}a=mid\r\n")),
        (5, ParseErrorKind::InvalidAttribute("mid"))
    );
    assert_eq!(
        strict_err(&format!("{HEAD}x=what\r\n")),
        (5, ParseErrorKind::UnknownType('x'))
    );
    // Lenient mode keeps the same lines verbatim instead.
    let lenient: SessionDescription = format!("{HEAD}a=setup:sideways\r\nx=what\r\n")
        .parse()
        .unwrap();
    assert_eq!(lenient.unknown_lines, [('x', "what".to_owned())]);
    assert_eq!(lenient.validate().len(), 2);
}

#[test]
fn limits_bound_hostile_input() {
    let limits = Limits::default()
        .max_bytes(10_000)
        .max_lines(50)
        .max_line_len(300)
        .max_media(3);
    let options = ParseOptions::default().limits(limits);
    let parse = |t: &str| {
        SessionDescription::parse_with(t, &options)
            .unwrap_err()
            .kind
    };
    assert_eq!(
        parse(&"a".repeat(10_001)),
        ParseErrorKind::Limit("document size")
    );
    assert_eq!(
        parse(&format!("{HEAD}{}", "a=x\r\n".repeat(60))),
        ParseErrorKind::Limit("line count")
    );
    assert_eq!(
        parse(&format!("{HEAD}a=x:{}\r\n", "y".repeat(400))),
        ParseErrorKind::Limit("line length")
    );
    assert_eq!(
        parse(&format!("{HEAD}{}", "m=audio 9 RTP/AVP 0\r\n".repeat(4))),
        ParseErrorKind::Limit("media sections")
    );
    // The defaults take a 1 MiB document of short lines without trouble, and refuse more.
    let big = format!("{HEAD}{}", "a=x\r\n".repeat(19_000));
    assert!(big.parse::<SessionDescription>().is_ok());
    let huge = format!("{HEAD}{}", "a=x\r\n".repeat(300_000));
    assert_eq!(
        huge.parse::<SessionDescription>().unwrap_err().kind,
        ParseErrorKind::Limit("document size")
    );
}

#[test]
fn errors_show_at_most_200_bytes_of_the_line_and_respect_utf8() {
    let line = format!("o={}", "é".repeat(300));
    let e = format!("v=0\r\n{line}\r\n")
        .parse::<SessionDescription>()
        .unwrap_err();
    assert!(e.text.len() <= 200);
    assert!(line.starts_with(&e.text));
    assert!(e.to_string().starts_with("line 2: "));
}
