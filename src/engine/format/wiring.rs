//! Which kinds of node can talk over which kind of link.
//!
//! One table serves validation ("`consume` must start at a queue") and the
//! editor (the link kind inferred when a user drags from one node to another).

use super::scenario::{NodeKind, Via};
use NodeKind::*;

/// The kinds a link of `via` may start at and end at.
pub fn ends(via: Via) -> (&'static [NodeKind], &'static [NodeKind]) {
    match via {
        Via::Http | Via::Grpc => (&[Client, Service, Saga], &[Service, Saga, Websocket]),
        Via::Enqueue => (&[Client, Service, Saga], &[Queue]),
        Via::Consume => (&[Queue], &[Service, Saga]),
        Via::Publish => (&[Client, Service, Saga], &[Topic, Exchange]),
        Via::Subscribe => (&[Topic], &[Service, Queue, Websocket, Saga]),
        Via::Push => (&[Websocket], &[Browser]),
        Via::Sse => (&[Service, Websocket], &[Browser]),
        Via::Poll => (&[Service, Websocket], &[Browser]),
        Via::SagaStep => (&[Saga], &[Service]),
        Via::RequestReply => (&[Client, Service, Saga], &[Queue, Service]),
        Via::Bind => (&[Exchange], &[Queue]),
        Via::Write | Via::Read => (&[Service], &[Database]),
    }
}

fn article(kind: NodeKind) -> &'static str {
    match kind {
        Client => "a client",
        Service => "a service",
        Queue => "a queue",
        Topic => "a topic",
        Websocket => "a websocket server",
        Browser => "a browser",
        Saga => "a saga",
        Exchange => "an exchange",
        Database => "a database",
    }
}

fn list(kinds: &[NodeKind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| article(*k)).collect();
    match names.as_slice() {
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
        [] => String::new(),
    }
}

/// Whether `via` may join a `from` node to a `to` node; the reason if not,
/// naming the nodes, e.g. "`consume` must start at a queue, not at service `pay`".
pub fn check(via: Via, from: (&str, NodeKind), to: (&str, NodeKind)) -> Result<(), String> {
    let (starts, stops) = ends(via);
    if !starts.contains(&from.1) {
        return Err(format!(
            "`{}` must start at {}, not at {} `{}`",
            via.as_str(),
            list(starts),
            from.1.as_str(),
            from.0
        ));
    }
    if !stops.contains(&to.1) {
        return Err(format!("`{}` must end at {}, not at {} `{}`", via.as_str(), list(stops), to.1.as_str(), to.0));
    }
    Ok(())
}

/// The link kind a user most likely means when connecting `from` to `to`.
pub fn infer(from: NodeKind, to: NodeKind) -> Option<Via> {
    let preferred = [
        Via::SagaStep,
        Via::Http,
        Via::Enqueue,
        Via::Consume,
        Via::Publish,
        Via::Subscribe,
        Via::Bind,
        Via::Push,
        Via::Sse,
        Via::Read,
    ];
    preferred.into_iter().find(|v| allowed(*v, from, to))
}

/// Every link kind that may join `from` to `to`, for the inspector's choice.
pub fn choices(from: NodeKind, to: NodeKind) -> Vec<Via> {
    Via::ALL.into_iter().filter(|v| allowed(*v, from, to)).collect()
}

pub fn allowed(via: Via, from: NodeKind, to: NodeKind) -> bool {
    let (starts, stops) = ends(via);
    starts.contains(&from) && stops.contains(&to)
}

/// Why no link can join `from` to `to`, for the editor's refusal message.
pub fn refusal(from: NodeKind, to: NodeKind) -> String {
    match (from, to) {
        (_, Client) => "nothing can send to a client: clients only send requests".into(),
        (Browser, _) => "browsers only receive: link a server to the browsers".into(),
        (Queue, Queue) => {
            "a queue cannot feed a queue directly: put a service between them (dead letters are set on the queue)"
                .into()
        }
        (_, Exchange) => "only clients, services and sagas publish to an exchange".into(),
        (Exchange, _) => "an exchange routes to queues only: bind it to a queue, and consume from that".into(),
        (Database, _) => "a database only answers: link a service to it (read or write)".into(),
        (_, Database) => "only services read and write a database: put a service in front of it".into(),
        _ => format!("{} cannot talk to {} directly", article(from), article(to)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consume_from_a_service_names_the_node() {
        let e = check(Via::Consume, ("pay", Service), ("sms", Service)).unwrap_err();
        assert_eq!(e, "`consume` must start at a queue, not at service `pay`");
    }

    #[test]
    fn enqueue_into_a_service_is_refused() {
        let e = check(Via::Enqueue, ("pay", Service), ("sms", Service)).unwrap_err();
        assert!(e.contains("must end at a queue"), "{e}");
    }

    #[test]
    fn inference_picks_the_natural_link() {
        assert_eq!(infer(Client, Service), Some(Via::Http));
        assert_eq!(infer(Service, Queue), Some(Via::Enqueue));
        assert_eq!(infer(Queue, Service), Some(Via::Consume));
        assert_eq!(infer(Service, Topic), Some(Via::Publish));
        assert_eq!(infer(Topic, Websocket), Some(Via::Subscribe));
        assert_eq!(infer(Websocket, Browser), Some(Via::Push));
        assert_eq!(infer(Saga, Service), Some(Via::SagaStep));
        assert_eq!(infer(Service, Client), None);
        assert_eq!(infer(Queue, Queue), None);
        assert_eq!(infer(Service, Exchange), Some(Via::Publish));
        assert_eq!(infer(Exchange, Queue), Some(Via::Bind));
        assert_eq!(infer(Exchange, Service), None);
    }

    #[test]
    fn a_bind_out_of_a_queue_names_it() {
        let e = check(Via::Bind, ("orders", Queue), ("mail", Queue)).unwrap_err();
        assert_eq!(e, "`bind` must start at an exchange, not at queue `orders`");
    }
}
