//! Examples from the RFCs: RFC 8866 §5's session description and RFC 3264 §10.1's offer/answer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use rtcweb_sdp_core::offer_answer::{create_answer, AnswerConfig, Codec, MediaCapabilities};
use rtcweb_sdp_core::{Direction, SessionDescription};

/// RFC 8866 §5.
const RFC8866: &str = "v=0\r\n\
o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n\
s=Call to John Smith\r\n\
i=SDP Offer #1\r\n\
u=http://www.jdoe.example.com/home.html\r\n\
e=Jane Doe <jane@jdoe.example.com>\r\n\
p=+1 617 555-6011\r\n\
c=IN IP4 198.51.100.1\r\n\
t=0 0\r\n\
m=audio 49170 RTP/AVP 0\r\n\
m=audio 49180 RTP/AVP 0\r\n\
m=video 51372 RTP/AVP 99\r\n\
c=IN IP6 2001:db8::2\r\n\
a=rtpmap:99 h263-1998/90000\r\n";

#[test]
fn rfc8866_example() {
    let d = SessionDescription::parse_str(RFC8866).unwrap();
    assert_eq!(d.origin().username, "jdoe");
    assert_eq!(d.origin().session_version, "3724394405");
    assert_eq!(d.session_name(), "Call to John Smith");
    let info: Vec<_> = d
        .session_lines()
        .filter(|l| matches!(l.kind(), Some('i' | 'u' | 'e' | 'p')))
        .collect();
    assert_eq!(info.len(), 4);
    assert_eq!(info[2].value(), "Jane Doe <jane@jdoe.example.com>");
    assert_eq!(d.connection().unwrap().address, "198.51.100.1");
    let m: Vec<_> = d.media().collect();
    assert_eq!(m.len(), 3);
    assert_eq!(
        (m[0].port(), m[1].port(), m[2].port()),
        (49170, 49180, 51372)
    );
    assert!(m[0].connection().is_none());
    assert_eq!(m[2].connection().unwrap().addrtype, "IP6");
    assert_eq!(m[2].rtpmap(99).unwrap().encoding, "h263-1998");
    assert_eq!(d.to_string(), RFC8866);
}

/// RFC 3264 §10.1: Alice offers PCMU audio and two video codecs; Bob takes audio and one video codec.
#[test]
fn rfc3264_basic_exchange() {
    let offer = "v=0\r\n\
o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n\
s=\x20\r\n\
c=IN IP4 host.atlanta.example.com\r\n\
t=0 0\r\n\
m=audio 49170 RTP/AVP 0 8 97\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:97 iLBC/8000\r\n\
m=video 51372 RTP/AVP 31 32\r\n\
a=rtpmap:31 H261/90000\r\n\
a=rtpmap:32 MPV/90000\r\n";
    let offer = SessionDescription::parse_str(offer).unwrap();
    let mut bob = AnswerConfig::new("192.0.2.20", 49174);
    bob.origin_username = "bob".into();
    bob.session_id = 2_808_844_564;
    bob.session_version = 2_808_844_564;
    bob.rtcp_mux = false;
    bob.section_ports = vec![49174, 49170];
    bob.media.push(MediaCapabilities::new(
        "audio",
        vec![Codec::new("PCMU", 8000, 1)],
    ));
    bob.media.push(MediaCapabilities::new(
        "video",
        vec![Codec::new("H261", 90000, 1)],
    ));
    let a = create_answer(&offer, &bob).unwrap();
    let text = a.description.to_string();
    assert_eq!(
        text,
        "v=0\r\no=bob 2808844564 2808844564 IN IP4 192.0.2.20\r\ns=-\r\nt=0 0\r\n\
         m=audio 49174 RTP/AVP 0\r\nc=IN IP4 192.0.2.20\r\na=sendrecv\r\na=rtpmap:0 PCMU/8000\r\n\
         m=video 49170 RTP/AVP 31\r\nc=IN IP4 192.0.2.20\r\na=sendrecv\r\na=rtpmap:31 H261/90000\r\n"
    );
    assert_eq!(a.media[1].direction, Direction::SendRecv);
    SessionDescription::parse_str(&text).unwrap();
}
