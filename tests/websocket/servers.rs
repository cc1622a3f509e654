//! Real servers on loopback TCP, each with a WebSocket route `/ws` that
//! greets the verified user (`hello <sub>`) and an ordinary route `/me`
//! that answers the same text over plain HTTP. Both routes take any
//! method, so that a `POST` reaches the authentication on every server
//! (rather than a 404 or 405 that differs between frameworks).

use std::net::SocketAddr;

use jwtguard::{Claims, Verifier};

/// How a server authenticates its routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// axum, the `jwtguard::axum::UserId` extractor in each handler.
    AxumExtractor,
    /// axum, a `jwtguard::tower::AuthLayer` on the router; handlers read
    /// `Extension<Claims>`.
    AxumLayer,
    /// actix-web, the `jwtguard::actix::UserId` extractor in each handler.
    ActixExtractor,
    /// actix-web, a `jwtguard::actix::AuthMiddleware` on the app; handlers
    /// read `web::ReqData<Claims>`.
    ActixMiddleware,
}

pub const ALL: [Kind; 4] = [
    Kind::AxumExtractor,
    Kind::AxumLayer,
    Kind::ActixExtractor,
    Kind::ActixMiddleware,
];

/// A running server.
#[derive(Debug, Clone, Copy)]
pub struct Server {
    pub kind: Kind,
    pub addr: SocketAddr,
}

impl Server {
    /// `ws://<addr>/ws<suffix>`; `suffix` is empty or starts with `?`.
    pub fn ws(&self, suffix: &str) -> String {
        format!("ws://{}/ws{suffix}", self.addr)
    }
}

/// One server of each kind, all with `verifier`.
pub async fn start_all(verifier: &Verifier) -> Vec<Server> {
    let mut servers = Vec::new();
    for kind in ALL {
        servers.push(start(kind, verifier.clone()).await);
    }
    servers
}

/// A server of `kind` with `verifier`, listening on 127.0.0.1.
pub async fn start(kind: Kind, verifier: Verifier) -> Server {
    let addr = match kind {
        Kind::AxumExtractor => axum_server(axum_app::extractor(verifier)).await,
        Kind::AxumLayer => axum_server(axum_app::layer(verifier)).await,
        Kind::ActixExtractor => actix_server(move |listener| {
            Ok(
                actix_web::HttpServer::new(move || actix_app::extractor(verifier.clone()))
                    .workers(1)
                    .disable_signals()
                    .listen(listener)?
                    .run(),
            )
        }),
        Kind::ActixMiddleware => actix_server(move |listener| {
            Ok(
                actix_web::HttpServer::new(move || actix_app::middleware(verifier.clone()))
                    .workers(1)
                    .disable_signals()
                    .listen(listener)?
                    .run(),
            )
        }),
    };
    Server { kind, addr }
}

/// Serves `app` with `axum::serve` on the test's runtime.
async fn axum_server(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// Runs the actix-web server `run` makes on its own thread and actix
/// system. The listener is bound first, so connections wait in its
/// backlog until the server accepts them.
fn actix_server(
    run: impl FnOnce(std::net::TcpListener) -> std::io::Result<actix_web::dev::Server> + Send + 'static,
) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move { run(listener).unwrap().await.unwrap() })
    });
    addr
}

mod axum_app {
    use axum::extract::ws::{Message, WebSocketUpgrade};
    use axum::response::Response;
    use axum::routing::any;
    use axum::{Extension, Router};
    use jwtguard::axum::UserId;
    use jwtguard::tower::AuthLayer;

    use super::{Claims, Verifier};

    /// Accepts the upgrade and sends one text message, then closes.
    fn greet(ws: WebSocketUpgrade, sub: String) -> Response {
        ws.on_upgrade(move |mut socket| async move {
            let _ = socket
                .send(Message::Text(format!("hello {sub}").into()))
                .await;
            let _ = socket.send(Message::Close(None)).await;
        })
    }

    pub fn extractor(verifier: Verifier) -> Router {
        // The user is decided before the upgrade is looked at.
        async fn ws(UserId(sub): UserId, ws: WebSocketUpgrade) -> Response {
            greet(ws, sub)
        }
        async fn me(UserId(sub): UserId) -> String {
            format!("hello {sub}")
        }
        Router::new()
            .route("/ws", any(ws))
            .route("/me", any(me))
            .with_state(verifier)
    }

    pub fn layer(verifier: Verifier) -> Router {
        async fn ws(Extension(claims): Extension<Claims>, ws: WebSocketUpgrade) -> Response {
            greet(ws, claims.sub().to_owned())
        }
        async fn me(Extension(claims): Extension<Claims>) -> String {
            format!("hello {}", claims.sub())
        }
        Router::new()
            .route("/ws", any(ws))
            .route("/me", any(me))
            .layer(AuthLayer::new(verifier))
    }
}

mod actix_app {
    use actix_web::body::MessageBody;
    use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
    use actix_web::{App, HttpRequest, HttpResponse, web};
    use jwtguard::actix::{AuthMiddleware, UserId};

    use super::{Claims, Verifier};

    /// Accepts the upgrade and sends one text message, then closes.
    fn greet(
        req: &HttpRequest,
        body: web::Payload,
        sub: String,
    ) -> Result<HttpResponse, actix_web::Error> {
        let (response, mut session, messages) = actix_ws::handle(req, body)?;
        actix_web::rt::spawn(async move {
            let _ = session.text(format!("hello {sub}")).await;
            let _ = session.close(None).await;
            drop(messages);
        });
        Ok(response)
    }

    pub fn extractor(
        verifier: Verifier,
    ) -> App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<impl MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    > {
        // The user is decided before the upgrade is looked at.
        async fn ws(
            UserId(sub): UserId,
            req: HttpRequest,
            body: web::Payload,
        ) -> Result<HttpResponse, actix_web::Error> {
            greet(&req, body, sub)
        }
        async fn me(UserId(sub): UserId) -> String {
            format!("hello {sub}")
        }
        App::new()
            .app_data(web::Data::new(verifier))
            .route("/ws", web::route().to(ws))
            .route("/me", web::route().to(me))
    }

    pub fn middleware(
        verifier: Verifier,
    ) -> App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<impl MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    > {
        async fn ws(
            claims: web::ReqData<Claims>,
            req: HttpRequest,
            body: web::Payload,
        ) -> Result<HttpResponse, actix_web::Error> {
            greet(&req, body, claims.sub().to_owned())
        }
        async fn me(claims: web::ReqData<Claims>) -> String {
            format!("hello {}", claims.sub())
        }
        App::new()
            .wrap(AuthMiddleware::new(verifier))
            .route("/ws", web::route().to(ws))
            .route("/me", web::route().to(me))
    }
}
