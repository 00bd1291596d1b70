use super::*;

#[expect(
    clippy::disallowed_methods,
    reason = "a unit test needs one real Instant as the origin of virtual time"
)]
fn origin() -> Instant {
    Instant::now()
}

#[test]
fn refresh_one_minute_early_or_at_half() {
    let t = origin();
    assert_eq!(
        refresh_time(t, Duration::from_secs(600)),
        t + Duration::from_secs(540)
    );
    assert_eq!(
        refresh_time(t, Duration::from_secs(300)),
        t + Duration::from_secs(240)
    );
    assert_eq!(
        refresh_time(t, Duration::from_secs(60)),
        t + Duration::from_secs(30)
    );
}

#[test]
fn permission_lifecycle() {
    let t = origin();
    let mut p = Permissions::default();
    let ip: IpAddr = "192.0.2.1".parse().unwrap();
    assert!(p.want(ip));
    assert!(!p.want(ip), "one request in flight");
    assert!(p.granted(ip, t));
    assert!(p.installed(ip));
    assert_eq!(p.next_timer(), Some(t + Duration::from_secs(240)));
    assert_eq!(p.take_due(t + Duration::from_secs(240)), [ip]);
    assert!(p.take_due(t + Duration::from_secs(241)).is_empty());
    assert_eq!(p.expire(t + Duration::from_secs(300)), [ip]);
    assert!(!p.installed(ip));
}

#[test]
fn channel_numbers_are_unique_and_recycled() {
    let t = origin();
    let mut c = Channels::default();
    let a: SocketAddr = "192.0.2.1:1".parse().unwrap();
    let b: SocketAddr = "192.0.2.1:2".parse().unwrap();
    let (na, send) = c.want(a).unwrap();
    assert!(send);
    let (nb, _) = c.want(b).unwrap();
    assert_ne!(na, nb);
    assert_eq!(c.want(a), Some((na, false)), "in flight: no second request");
    assert!(c.bound(&a).is_none());
    assert!(c.bound_now(a, t));
    assert_eq!(c.bound(&a), Some(na));
    assert_eq!(c.peer(na), Some(a));
    assert_eq!(c.peer(nb), None, "not bound yet");
    c.failed(b, t);
    assert_eq!(c.take_due(t + Duration::from_secs(540)), [(a, na)]);
    c.expire(t + Duration::from_secs(600));
    assert!(c.bound(&a).is_none());
}

#[test]
fn all_4096_channels_then_none() {
    let mut c = Channels::default();
    for port in 0..4096u16 {
        assert!(c.want(SocketAddr::from(([192, 0, 2, 1], port))).is_some());
    }
    assert!(c.want(SocketAddr::from(([192, 0, 2, 2], 1))).is_none());
}
