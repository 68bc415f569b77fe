//! Seed 001's `FederationService`. Hearth has no federation yet, so every call answers
//! `UNIMPLEMENTED` with a message that says so (and no `hearth-code`: it is not a refusal by a
//! rule, the method does nothing yet). When federation exists, its use cases are called here.

use tonic::{Request, Response, Status};

use crate::pb::federation_service_server::FederationService;
use crate::pb::{
    DiscoverRequest, InstanceInfo, RouteMessageRequest, RouteMessageResponse, VerifyRequest,
    VerifyResponse,
};

/// The federation service: not implemented yet.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Federation;

fn not_yet(rpc: &'static str) -> Status {
    metrics::counter!("hearth_face_requests_total", "face" => crate::FACE, "rpc" => rpc, "code" => "unimplemented")
        .increment(1);
    Status::unimplemented(format!(
        "{rpc}: federation is not implemented in this Hearth version yet"
    ))
}

#[tonic::async_trait]
impl FederationService for Federation {
    async fn discover_instance(
        &self,
        _request: Request<DiscoverRequest>,
    ) -> Result<Response<InstanceInfo>, Status> {
        Err(not_yet("DiscoverInstance"))
    }

    async fn route_message(
        &self,
        _request: Request<RouteMessageRequest>,
    ) -> Result<Response<RouteMessageResponse>, Status> {
        Err(not_yet("RouteMessage"))
    }

    async fn verify_instance(
        &self,
        _request: Request<VerifyRequest>,
    ) -> Result<Response<VerifyResponse>, Status> {
        Err(not_yet("VerifyInstance"))
    }
}
