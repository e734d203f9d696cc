//! URI parsing and §19.1.4 comparison vectors.

use super::*;

fn sip(s: &str) -> SipUri<'_> {
    match Uri::parse(s) {
        Ok(Uri::Sip(u)) => u,
        other => panic!("{s}: {other:?}"),
    }
}

#[test]
fn parses_parts() {
    let u = sip(
        "sips:alice:secret@atlanta.com:5061;transport=tcp;lr?subject=project%20x&priority=urgent",
    );
    assert!(u.secure);
    assert_eq!(
        (u.user, u.password, u.port),
        (Some("alice"), Some("secret"), Some(5061))
    );
    assert_eq!(u.host, Host::Domain("atlanta.com"));
    assert_eq!(u.param("transport"), Some("tcp"));
    assert!(u.lr());
    assert_eq!(u.headers, Some("subject=project%20x&priority=urgent"));
    let u = sip("sip:user;par=u%40example.net@example.com");
    assert_eq!(u.user, Some("user;par=u%40example.net"));
    assert_eq!(u.host, Host::Domain("example.com"));
    let u = sip("sip:[2001:db8::10]:5070");
    assert!(matches!(u.host, Host::Ipv6(..)));
    assert_eq!(u.port, Some(5070));
    let u = sip("sip:[2001:db8::10:5070]");
    assert_eq!(u.port, None);
    let u = sip("sip:192.0.2.4");
    assert!(matches!(u.host, Host::Ipv4(_)));
    let u = sip("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com");
    assert_eq!(u.user, None);
    assert!(
        matches!(Uri::parse("tel:+1-201-555-0123;phone-context=x"), Ok(Uri::Tel(t)) if t.is_global())
    );
    assert!(matches!(
        Uri::parse("urn:service:sos"),
        Ok(Uri::Other { scheme: "urn", .. })
    ));
}

#[test]
fn question_mark_in_user() {
    // RFC 4475 §3.1.1.2: `?` and `=` are user / password characters.
    let u = sip("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
    assert_eq!(
        (u.user, u.password, u.host, u.headers),
        (
            Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"),
            Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"),
            Host::Domain("example.com"),
            None
        )
    );
    // An unescaped `@` in a header value after a hostport stays in the header (lenient).
    let u = sip("sip:host.example.com;lr?Refer-To=sip:a@b");
    assert_eq!((u.user, u.headers), (None, Some("Refer-To=sip:a@b")));
}

#[test]
fn rejects_bad() {
    assert_eq!(
        Uri::parse("sip:user@2001:db8::10").map_err(|e| e.kind),
        Err(UriErrorKind::Port)
    );
    // Three colons are tolerated only before an embedded IPv4 address (RFC 5118 §4.10).
    assert_eq!(
        Uri::parse("sip:[2001:db8:::10]").map_err(|e| e.kind),
        Err(UriErrorKind::Host)
    );
    assert_eq!(
        Uri::parse("sip:a@b:99999").map_err(|e| e.kind),
        Err(UriErrorKind::Port)
    );
    assert_eq!(
        Uri::parse("sip:@b").map_err(|e| e.kind),
        Err(UriErrorKind::User)
    );
    assert_eq!(
        Uri::parse("nocolon").map_err(|e| e.kind),
        Err(UriErrorKind::Scheme)
    );
    assert_eq!(
        Uri::parse("sip:").map_err(|e| e.kind),
        Err(UriErrorKind::Host)
    );
    assert!(Uri::parse("sip:a b@c").is_err());
}

#[test]
fn rfc3261_19_1_4_equivalent() {
    let pairs = [
        (
            "sip:%61lice@atlanta.com;transport=TCP",
            "sip:alice@AtLanTa.CoM;Transport=tcp",
        ),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;security=on"),
        (
            "sip:carol@chicago.com;newparam=5",
            "sip:carol@chicago.com;security=on",
        ),
        (
            "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
            "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com",
        ),
        (
            "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
            "sip:alice@atlanta.com?priority=urgent&subject=project%20x",
        ),
    ];
    for (a, b) in pairs {
        assert!(sip(a).equivalent(&sip(b)), "{a} == {b}");
        assert!(sip(b).equivalent(&sip(a)), "{b} == {a}");
    }
}

#[test]
fn rfc3261_19_1_4_not_equivalent() {
    let pairs = [
        (
            "SIP:ALICE@AtLanTa.CoM;Transport=udp",
            "sip:alice@AtLanTa.CoM;Transport=UDP",
        ),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"),
        (
            "sip:bob@biloxi.com",
            "sip:bob@biloxi.com:6000;transport=tcp",
        ),
        (
            "sip:carol@chicago.com",
            "sip:carol@chicago.com?Subject=next%20meeting",
        ),
        ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
        (
            "sip:carol@chicago.com;security=on",
            "sip:carol@chicago.com;security=off",
        ),
        ("sips:bob@biloxi.com", "sip:bob@biloxi.com"),
    ];
    for (a, b) in pairs {
        assert!(!sip(a).equivalent(&sip(b)), "{a} != {b}");
        assert!(!sip(b).equivalent(&sip(a)), "{b} != {a}");
    }
}
