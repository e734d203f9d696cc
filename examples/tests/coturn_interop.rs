//! Interop with a real TURN server: coturn on 127.0.0.1 with TURN REST credentials. Our Sans-IO
//! client, over a real UDP socket, does Binding, Allocate (401 → credentials), CreatePermission,
//! ChannelBind, and relays datagrams both ways to a local UDP peer; then deallocates. coturn is
//! installed if missing, started on a free port and stopped by PID.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use rtcweb_stun_core::client::{ClientTransaction, TransactionConfig};
use rtcweb_stun_core::credentials::ephemeral;
use rtcweb_stun_core::turn::{Received, TurnClient, TurnConfig, TurnEvent};
use rtcweb_stun_core::wire::attributes::XorMappedAddress;
use rtcweb_stun_core::wire::{Class, Message, MessageType, MessageWriter, Method, TransactionId};
use rtcweb_stun_core::Instant;

mod common;
use common::coturn::{start_coturn, SECRET};

struct Clock(std::time::Instant);
impl Clock {
    fn now(&self) -> Instant {
        Instant::from_nanos(self.0.elapsed().as_nanos() as i64)
    }
}

/// One Binding transaction; retried until coturn listens (bounded).
fn binding(socket: &UdpSocket, server: SocketAddr, clock: &Clock) -> SocketAddr {
    let mut buf = [0u8; 64];
    let tid = TransactionId(*b"rtcweb-bind1");
    let w = MessageWriter::new(
        &mut buf,
        MessageType::new(Method::BINDING, Class::Request),
        tid,
    )
    .unwrap();
    let len = w.finish();
    let config = TransactionConfig {
        rto: Duration::from_millis(100),
        ..TransactionConfig::default()
    };
    let mut tx = ClientTransaction::new(clock.now(), &buf[..len], false, config).unwrap();
    let mut rx = [0u8; 1500];
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let give_up = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < give_up {
        tx.handle_timeout(clock.now());
        if let Some(b) = tx.poll_transmit(clock.now()) {
            let _ = socket.send_to(b, server);
        }
        if let Ok((n, from)) = socket.recv_from(&mut rx) {
            if from != server {
                continue;
            }
            let msg = Message::parse(&rx[..n]).unwrap();
            if tx.handle_response(&msg) {
                return msg.attribute::<XorMappedAddress>().unwrap().unwrap().0;
            }
        }
    }
    panic!("no Binding response from coturn within 10 s");
}

/// Pumps the client until `want` returns Some, for at most 10 s of real time.
fn pump<T>(
    client: &mut TurnClient,
    socket: &UdpSocket,
    clock: &Clock,
    mut want: impl FnMut(Option<TurnEvent>, Option<(SocketAddr, &[u8])>) -> Option<T>,
) -> T {
    let mut tx = [0u8; 1500];
    let mut rx = [0u8; 1500];
    let give_up = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < give_up {
        client.handle_timeout(clock.now());
        while let Ok(Some(t)) = client.poll_transmit(clock.now(), &mut tx) {
            socket.send_to(&tx[..t.len], t.destination).unwrap();
        }
        while let Some(e) = client.poll_event() {
            if let TurnEvent::AllocationFailed { code } = e {
                panic!("allocation failed: {code:?}");
            }
            if let Some(r) = want(Some(e), None) {
                return r;
            }
        }
        if let Ok((n, from)) = socket.recv_from(&mut rx) {
            if let Received::Data { peer, data } =
                client.handle_receive(clock.now(), from, &rx[..n])
            {
                if let Some(r) = want(None, Some((peer, data))) {
                    return r;
                }
            }
        }
    }
    panic!("timed out pumping the TURN client");
}

fn peer_receive(peer: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = [0u8; 1500];
    let (n, from) = peer.recv_from(&mut buf).expect("peer received nothing");
    (buf[..n].to_vec(), from)
}

#[test]
fn coturn_binding_allocate_permission_channel_relay() {
    let server = start_coturn();
    let clock = Clock(std::time::Instant::now());
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();

    // Binding: the reflexive address on loopback is our own socket address.
    assert_eq!(
        binding(&socket, server.addr, &clock),
        socket.local_addr().unwrap()
    );
    socket
        .set_read_timeout(Some(Duration::from_millis(20)))
        .unwrap();

    // Allocate with ephemeral credentials (the first Allocate draws a 401 with REALM/NONCE).
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut ubuf = [0u8; 64];
    let username = ephemeral::username(&mut ubuf, unix + 600, "interop").unwrap();
    let password = ephemeral::password(SECRET.as_bytes(), username);
    let mut client = TurnClient::new(
        TurnConfig::new(server.addr, username, password.as_str()),
        [7; 32],
    );
    client.allocate(clock.now()).unwrap();
    let relayed = pump(&mut client, &socket, &clock, |e, _| match e {
        Some(TurnEvent::Allocated {
            relayed, mapped, ..
        }) => {
            assert_eq!(mapped, Some(socket.local_addr().unwrap()));
            Some(relayed)
        }
        _ => None,
    });
    assert_eq!(relayed.ip(), std::net::IpAddr::from([127, 0, 0, 1]));

    // A local peer; a permission for it; data both ways through Send/Data indications.
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let peer_addr = peer.local_addr().unwrap();
    client
        .create_permission(clock.now(), peer_addr.ip())
        .unwrap();
    pump(&mut client, &socket, &clock, |e, _| {
        matches!(e, Some(TurnEvent::PermissionCreated(ip)) if ip == peer_addr.ip()).then_some(())
    });
    let mut buf = [0u8; 1500];
    let t = client
        .send_to(peer_addr, b"via send indication", &mut buf)
        .unwrap();
    socket.send_to(&buf[..t.len], t.destination).unwrap();
    let (got, from) = peer_receive(&peer);
    assert_eq!(got, b"via send indication");
    assert_eq!(from, relayed);
    peer.send_to(b"back via data indication", relayed).unwrap();
    pump(&mut client, &socket, &clock, |_, d| match d {
        Some((p, data)) => {
            assert_eq!(p, peer_addr);
            assert_eq!(data, b"back via data indication");
            Some(())
        }
        None => None,
    });

    // ChannelBind, then data both ways as ChannelData.
    let channel = client.bind_channel(clock.now(), peer_addr).unwrap();
    pump(&mut client, &socket, &clock, |e, _| {
        matches!(e, Some(TurnEvent::ChannelBound { channel: c, .. }) if c == channel).then_some(())
    });
    for i in 0..20u8 {
        let payload = [i; 160];
        let t = client.send_to(peer_addr, &payload, &mut buf).unwrap();
        assert_eq!(t.len, 4 + 160, "a bound channel sends ChannelData");
        socket.send_to(&buf[..t.len], t.destination).unwrap();
        let (got, from) = peer_receive(&peer);
        assert_eq!((got.as_slice(), from), (&payload[..], relayed));
        peer.send_to(&[i ^ 0xFF; 100], relayed).unwrap();
        pump(&mut client, &socket, &clock, |_, d| match d {
            Some((p, data)) => {
                assert_eq!(p, peer_addr);
                assert_eq!(data, &[i ^ 0xFF; 100][..]);
                Some(())
            }
            None => None,
        });
    }

    client.deallocate(clock.now()).unwrap();
    pump(&mut client, &socket, &clock, |e, _| {
        matches!(e, Some(TurnEvent::Deallocated)).then_some(())
    });
    assert_eq!(client.relayed_address(), None);
}
