#!/usr/bin/env python3
"""Writes the seed corpora of the state-machine fuzz targets into fuzz/seeds/<target>/.

Each seed is an op sequence in the target's own encoding (see the target's source) that reaches a
deep state and carries the repository's RFC vectors and fixtures as whole datagrams:
sip-core/tests/fixtures (RFC 3665/5359-style flows), sip-core/tests/rfc4475 and rfc5118 (torture
messages) and srtp-core/tests/data (libsrtp known answers with the RFC 3711 key). scripts/fuzz.sh
and .ci/run copy them into fuzz/corpus/<target>/ (which is not tracked) before fuzzing.

    python3 fuzz/seeds/make_seeds.py
"""
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIP = os.path.join(ROOT, "sip-core", "tests")
SRTP = os.path.join(ROOT, "srtp-core", "tests", "data")
OUT = os.path.join(ROOT, "fuzz", "seeds")


def read(*p):
    with open(os.path.join(*p), "rb") as f:
        return f.read()


def fixture(name):
    return read(SIP, "fixtures", name)


def le16(b):
    return struct.pack("<H", len(b)) + b


def be16(b):
    return struct.pack(">H", len(b)) + b


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


# A registrar's 200 as in RFC 3261 §10.3 / RFC 5626 §4.2 (the repo has the 401 and REGISTER).
REG_200 = (b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP x;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\n"
           b"To: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
           b"Contact: <sip:alice@192.0.2.1:5060>;expires=3600;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1\r\n"
           b"Require: outbound\r\nFlow-Timer: 120\r\nContent-Length: 0\r\n\r\n")
REG_423 = (b"SIP/2.0 423 Interval Too Brief\r\nVia: SIP/2.0/UDP x;branch=z9hG4bKx\r\n"
           b"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
           b"Min-Expires: 7200\r\nContent-Length: 0\r\n\r\n")
STALE_401 = fixture("401_www_authenticate.sip").replace(b"stale=FALSE", b"stale=TRUE")


def registration():
    t = "sip_registration"
    # op % 9: 0 register, 1 unregister, 2-4 menu response, 5 timeout, 6-7 time, 8 fixture response
    to_deadline = [6, 5]
    write(t, "digest_register_refresh_unregister",
          [0, 0] + [8] + list(le16(fixture("401_www_authenticate.sip")))
          + [8] + list(le16(REG_200)) + to_deadline + [2, 2, 0] + [1] + [2, 2, 0])
    write(t, "outbound_huge_flow_timer",
          [2, 0, 2, 2, 2] + [5, 3] + list(b"\x03\x06") + [0] * 8 + [0, 6, 4] + to_deadline * 3)
    write(t, "stale_nonce_chain",
          [0, 0] + ([8] + list(le16(STALE_401))) * 4 + to_deadline + to_deadline)
    write(t, "interval_too_brief",
          [0, 0] + [8] + list(le16(REG_423)) + [2, 2, 0] + to_deadline * 2)
    write(t, "timeouts_and_backoff", [0, 0, 5] + to_deadline + [5] + to_deadline + [2, 9, 0] + to_deadline)


def uac():
    t = "sip_ua_uac"
    call = [0x84]
    def transplant_response(raw, which=0):
        return [7, which, 0, 0, 0, 0] + list(le16(raw))
    def transplant_request(raw):
        return [67, 0, 1, 2, 3, 4] + list(le16(raw))
    def raw(raw):
        return [139, 0, 0, 0, 0, 0] + list(le16(raw))
    def resp(which, code_sel, flags=0, fork=1, headers=(0,)):
        return [2, which, code_sel, flags, fork, 0] + list(headers)
    write(t, "auth_answer_record_route_bye",
          [0x19] + call + transplant_response(fixture("401_www_authenticate.sip"))
          + transplant_response(fixture("200_record_route.sip"))
          + transplant_request(fixture("bye.sip")) + [8, 2, 1])
    write(t, "ringing_cancel_487",
          [0x01] + call + resp(0, 1) + [10, 0] + resp(0, 4) + resp(1, 12) + [9, 9, 9])
    write(t, "forks_and_stray_2xx",
          [0x03] + call + resp(0, 1, fork=1) + resp(0, 3, fork=2) + resp(0, 4, fork=1)
          + resp(0, 4, fork=2) + resp(0, 4, fork=3, flags=1) + [8, 2, 4])
    write(t, "session_timer_refresh",
          [0x11] + call + resp(0, 4, headers=(1, 72, 3)) + [9, 9] + resp(0, 4) + [9, 9, 9])
    seed = [0x01] + call + resp(0, 4)
    for name in ["wsinv.sip", "dblreq.sip", "mismatch01.sip", "bigcode.sip", "noreason.sip"]:
        seed += raw(read(SIP, "rfc4475", name))
    seed += raw(read(SIP, "rfc5118", "ipv6-good.sip")) + transplant_request(fixture("notify.sip"))
    write(t, "rfc4475_rfc5118_torture", seed)


def uas():
    t = "sip_ua_uas"
    def out_of_dialog(raw):
        return [11, 0, 0, 0, 0, 0] + list(le16(raw))
    def in_dialog(raw):
        return [71, 0, 9, 9, 9, 9] + list(le16(raw))
    def raw(raw):
        return [203, 0, 0, 0, 0, 0] + list(le16(raw))
    def req(method, dialog, flags=0, rand=0):
        sel = (method << 5) | (1 if dialog else 0)
        return [0, sel, flags, 0] + list(struct.pack("<I", rand)) + [0]
    INVITE, ACK, CANCEL, BYE, UPDATE = 1, 5, 6, 0, 2
    write(t, "jssip_invite_answer_ack_bye",
          [0x11] + out_of_dialog(fixture("invite_wss_jssip.sip")) + [5, 0]
          + req(ACK, True, rand=7) + in_dialog(fixture("notify.sip"))
          + in_dialog(fixture("refer.sip")) + in_dialog(fixture("bye.sip")) + [9, 9])
    write(t, "invite_ring_cancel",
          [0x01] + req(INVITE, False, flags=1) + [5, 2] + req(INVITE, False, flags=1)
          + req(CANCEL, True) + [9, 9, 9])
    write(t, "answer_no_ack_then_bye",
          [0x03] + req(INVITE, False, flags=1) + [5, 0] + [9, 9, 9, 9] + req(BYE, True, rand=3)
          + [8, 2, 2])
    write(t, "options_and_reinvite",
          [0x11] + out_of_dialog(fixture("options.sip")) + req(INVITE, False, flags=1) + [5, 0]
          + req(ACK, True, rand=1) + req(INVITE, True, flags=1, rand=2) + req(ACK, True, rand=2)
          + req(UPDATE, True, rand=4) + [10, 0] + [7, 0, 4, 0, 1, 0, 0])
    seed = [0x01]
    for name in ["wsinv.sip", "esc01.sip", "lwsdisp.sip", "trws.sip", "unreason.sip", "semiuri.sip"]:
        seed += raw(read(SIP, "rfc4475", name))
    for name in ["ipv6-good.sip", "port-unambiguous.sip", "ipv6-3-colons.sip"]:
        seed += raw(read(SIP, "rfc5118", name))
    write(t, "rfc4475_rfc5118_torture", seed)


def session_timer():
    t = "sip_dialog_session_timer"
    # mode, session_expires sel, min_se sel, refresher sel, number (sel [+u32]), min-se flag
    def head(mode, refresher, number_sel):
        return [mode, 0, 0, refresher, number_sel, 0]
    write(t, "uac_refresher_90s", head(0x80, 1, 3) + [4, 4, 4] + [2, 0, 0] + [4, 4, 4, 4] + [2, 3, 0] + [4, 4])
    write(t, "uas_refresher_peer_silent", head(0x00, 2, 3) + [4, 4, 4, 4, 4, 4])
    write(t, "peer_refreshes_with_jssip_invite",
          head(0x00, 1, 4) + [8, 1, 2, 3, 4] + list(le16(fixture("invite_wss_jssip.sip")))
          + [4] + [0, 0, 1, 72, 3, 5, 5, 5, 5] + [4, 4])
    write(t, "refresh_422_min_se", head(0x80, 1, 3) + [4, 4] + [2, 2, 1, 2, 4] + [4, 4, 4])


def srtp():
    t = "srtp_session"
    key = list(read(SRTP, "srtp_master_key_salt.bin"))
    kat172 = read(SRTP, "srtp_kat_172.bin")
    rtp172 = read(SRTP, "rtp_172.bin")
    write(t, "libsrtp_kat_172_replayed", [0] + key + [7] + list(be16(kat172)) + [4, 0, 0] + [14, 0, 0, 0])
    write(t, "libsrtp_kat_1212_and_protect", [0] + key + [7] + list(be16(read(SRTP, "srtp_kat_1212.bin")))
          + [37] + list(be16(rtp172)) + [4, 0, 1] + [6, 0] + [4, 0, 0])
    # RTP op: op, SSRC byte, payload length, payload type, payload; RTCP op: op, SSRC byte, 4 bytes.
    seed = [4] + key
    for i in range(8):
        seed += [0, i, 4, 0, 1, 2, 3, 4] + [3, i, 1, 2, 3, 4]
    seed += [6, 2] + [4, 0, 4] + [4, 0, 2] + [0, 1, 4, 0, 1, 2, 3, 4] + [4, 0, 2] + [4, 0, 3]
    write(t, "many_ssrcs_bye_and_return", seed)
    write(t, "gcm_rtcp_rekey", [2] + key + [3, 1, 1, 2, 3, 4] + [8] + key[::-1]
          + [3, 1, 1, 2, 3, 4] + [4, 0, 0] + [4, 0, 1])

registration()
uac()
uas()
session_timer()
srtp()
