//! Who is on the other end: the address sign-in limits count failures by (T9). Directly
//! connected, it is the TCP peer. Behind a reverse proxy every request comes from the proxy, so
//! the proxy's `X-Forwarded-For` is believed, but only from proxies named with
//! `--trusted-proxy` (`LANDED_TRUSTED_PROXIES`): anyone else could write any address there.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::AppState;

/// Addresses and networks (`10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`) of the reverse proxies
/// whose `X-Forwarded-For` is believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list; blank means none.
    fn from_str(text: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (addr, bits) = match part.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (part, None),
            };
            let addr: IpAddr = addr.parse().map_err(|_| {
                format!("`{part}` is not an IP address or network; write 10.0.0.5 or 10.0.0.0/8")
            })?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => max,
                Some(b) => b
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("`{part}`: the prefix length must be 0 to {max}"))?,
            };
            nets.push((addr, bits));
        }
        Ok(TrustedProxies(nets))
    }
}

/// The first `bits` bits of an address, as a number, with its family.
fn prefix(addr: IpAddr, bits: u8) -> (bool, u128) {
    let (v4, n, width) = match addr {
        IpAddr::V4(a) => (true, u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (false, u128::from(a), 128),
    };
    let shift = u32::from(width - bits.min(width));
    (v4, n.checked_shr(shift).unwrap_or(0))
}

impl TrustedProxies {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        let addr = addr.to_canonical();
        self.0
            .iter()
            .any(|(net, bits)| prefix(*net, *bits) == prefix(addr, *bits))
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy; then the nearest
    /// address of `forwarded_for` (the values of `X-Forwarded-For`, each proxy appending the
    /// address it heard from) that is not a trusted proxy. An entry that is not an address
    /// stops the walk: what lies beyond it is not believed.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = peer;
        if !self.contains(peer) {
            return client;
        }
        let hops = forwarded_for
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim);
        for hop in hops.collect::<Vec<_>>().into_iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(addr) => {
                    client = addr;
                    if !self.contains(addr) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        client
    }
}

/// The client's address, as [`TrustedProxies::client`] finds it.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientIp, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientIp(state.trusted_proxies.client(peer, &forwarded)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn lists_of_addresses_and_networks_are_read_or_refused() {
        let t: TrustedProxies = " 10.0.0.0/8, 192.168.1.7 ,::1,fd00::/8".parse().unwrap();
        for inside in [
            "10.1.2.3",
            "192.168.1.7",
            "::1",
            "fd12::5",
            "::ffff:10.9.9.9",
        ] {
            assert!(t.contains(ip(inside)), "{inside}");
        }
        for outside in ["11.0.0.1", "192.168.1.8", "::2", "fe00::1", "0.0.0.0"] {
            assert!(!t.contains(ip(outside)), "{outside}");
        }
        assert!("".parse::<TrustedProxies>().unwrap().is_empty());
        assert!(
            "0.0.0.0/0"
                .parse::<TrustedProxies>()
                .unwrap()
                .contains(ip("203.0.113.9"))
        );
        for bad in ["proxy.local", "10.0.0.0/33", "::1/129", "10.0.0.0/x"] {
            let err = bad.parse::<TrustedProxies>().unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_names_it() {
        let none = TrustedProxies::default();
        let proxies: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        // Nobody trusted: the header is anyone's words.
        assert_eq!(
            none.client(ip("10.0.0.2"), &["203.0.113.9"]),
            ip("10.0.0.2")
        );
        // A stranger cannot name another address.
        assert_eq!(
            proxies.client(ip("198.51.100.4"), &["203.0.113.9"]),
            ip("198.51.100.4")
        );
        // Through one proxy, and through two (the nearest untrusted hop wins, whatever the
        // client wrote first).
        assert_eq!(
            proxies.client(ip("10.0.0.2"), &["203.0.113.9"]),
            ip("203.0.113.9")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.2"), &["1.2.3.4, 203.0.113.9", "10.0.0.3"]),
            ip("203.0.113.9")
        );
        // A proxy that names nobody, or garbage: the last address believed.
        assert_eq!(proxies.client(ip("10.0.0.2"), &[]), ip("10.0.0.2"));
        assert_eq!(
            proxies.client(ip("10.0.0.2"), &["203.0.113.9, not-an-address"]),
            ip("10.0.0.2")
        );
        // Only proxies all the way: the farthest one.
        assert_eq!(
            proxies.client(ip("10.0.0.2"), &["10.0.0.9"]),
            ip("10.0.0.9")
        );
    }
}
