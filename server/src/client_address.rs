//! The address a request came from, seen through the load balancers the agency names
//! (`--trusted-proxy`): behind one, every client arrives from the balancer's own address, and a
//! limit per address (enrolment attempts) would then be one limit shared by every phone.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed: addresses or networks (`10.0.0.5`,
/// `10.0.0.0/8`). Empty by default: the header is then ignored, since anyone can send it.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses each of `list` as an address or a network; an entry that is neither is refused,
    /// named.
    pub fn parse(list: &[String]) -> Result<TrustedProxies, String> {
        list.iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("trusted proxy {entry:?} is neither an address nor a network")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client behind `peer` (the address the connection came from): when `peer` is a
    /// trusted proxy, the nearest address in `X-Forwarded-For` that is not one (each proxy
    /// appends the address it received from, so entries left of the last untrusted one may be
    /// anything the client wrote); otherwise `peer`. A header that does not parse is not
    /// believed.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut hops = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            let Ok(value) = value.to_str() else {
                return peer;
            };
            for hop in value.split(',') {
                match hop.trim().parse::<IpAddr>() {
                    Ok(address) => hops.push(address),
                    Err(_) => return peer,
                }
            }
        }
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn the_header_is_believed_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(none.client(ip("10.0.0.5"), &headers), ip("10.0.0.5"));
        let lb = proxies(&["10.0.0.5"]);
        assert_eq!(lb.client(ip("10.0.0.5"), &headers), ip("203.0.113.7"));
        assert_eq!(
            lb.client(ip("198.51.100.1"), &headers),
            ip("198.51.100.1"),
            "a client sending the header itself is not believed"
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client_not_what_it_wrote_itself() {
        let lb = proxies(&["10.0.0.0/8"]);
        // The client wrote 1.1.1.1 itself; the balancers appended what they saw.
        let headers = forwarded(&["1.1.1.1, 203.0.113.7", "10.1.2.3"]);
        assert_eq!(lb.client(ip("10.0.0.5"), &headers), ip("203.0.113.7"));
        // Every hop a trusted proxy: the farthest is the best there is.
        let headers = forwarded(&["10.9.9.9, 10.1.2.3"]);
        assert_eq!(lb.client(ip("10.0.0.5"), &headers), ip("10.9.9.9"));
        // No header: the proxy itself.
        assert_eq!(lb.client(ip("10.0.0.5"), &HeaderMap::new()), ip("10.0.0.5"));
    }

    #[test]
    fn a_header_that_does_not_parse_is_not_believed() {
        let lb = proxies(&["10.0.0.5"]);
        for bad in ["not-an-address", "203.0.113.7, ", "203.0.113.7:443", ""] {
            assert_eq!(
                lb.client(ip("10.0.0.5"), &forwarded(&[bad])),
                ip("10.0.0.5"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn entries_are_addresses_or_networks() {
        assert!(TrustedProxies::parse(&["10.0.0.5".into(), "fd00::/8".into()]).is_ok());
        let err = TrustedProxies::parse(&["balancer.local".into()]).unwrap_err();
        assert!(err.contains("balancer.local"), "{err}");
    }
}
