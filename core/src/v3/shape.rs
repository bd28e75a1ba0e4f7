//! The shapes of the v3 models for the one-pass reader (`format::shape`), field for field in
//! the order `model.rs` declares them. `core/tests/one_pass.rs` holds each to its model: the text
//! written from a shape must be the model's serialization, byte for byte.

use super::model::{NodeStatus, PoolStatus, PublicIpStatus};
use crate::format::shape::{Kind, Shape, field};

pub(crate) static CLOUD_NETWORK: Shape = Shape {
    fields: &[
        field!("id", Kind::Id),
        field!("name", Kind::OptText),
        field!("cidr", Kind::OptText),
        field!("created", Kind::OptTime),
        field!("updated", Kind::OptTime),
    ],
};

pub(crate) static NODE_COUNTS: Shape = Shape {
    fields: &[field!("cloud_servers", Kind::Count), field!("external", Kind::Count), field!("total", Kind::Count)],
};

pub(crate) static POOL: Shape = Shape {
    fields: &[
        field!("id", Kind::Id),
        field!("name", Kind::OptText),
        field!("port", Kind::OptU32),
        field!("virtual_ip", Kind::OptText),
        field!("status", Kind::OptStatus(PoolStatus::canonical)),
        field!("status_detail", Kind::OptText),
        field!("node_counts", Kind::OptObject(&NODE_COUNTS)),
    ],
};

pub(crate) static OBJECT_REF: Shape = Shape { fields: &[field!("id", Kind::Id)] };

pub(crate) static NODE: Shape = Shape {
    fields: &[
        field!("id", Kind::Id),
        field!("cloud_server", Kind::Object(&OBJECT_REF)),
        field!("load_balancer_pool", Kind::Object(&OBJECT_REF)),
        field!("status", Kind::Status(NodeStatus::canonical)),
        field!("status_detail", Kind::OptText),
        field!("created", Kind::OptTime),
        field!("updated", Kind::OptTime),
    ],
};

pub(crate) static SERVER_NETWORK: Shape = Shape {
    fields: &[
        field!("id", Kind::OptText),
        field!("name", Kind::OptText),
        field!("cidr", Kind::OptText),
        field!("private_ip_v4", Kind::OptText),
        field!("created", Kind::OptTime),
        field!("updated", Kind::OptTime),
    ],
};

pub(crate) static CLOUD_SERVER: Shape = Shape {
    fields: &[
        field!("id", Kind::Id),
        field!("name", Kind::OptText),
        field!("created", Kind::OptTime),
        field!("updated", Kind::OptTime),
        field!("cloud_network", Kind::OptObject(&SERVER_NETWORK)),
    ],
};

pub(crate) static NODE_DETAILS: Shape = Shape {
    fields: &[
        field!("id", Kind::Id),
        field!("cloud_server", Kind::Object(&CLOUD_SERVER)),
        field!("load_balancer_pool", Kind::Object(&POOL)),
        field!("status", Kind::Status(NodeStatus::canonical)),
        field!("status_detail", Kind::OptText),
        field!("created", Kind::OptTime),
        field!("updated", Kind::OptTime),
    ],
};

pub(crate) static SERVER_NODE_DETAILS: Shape = Shape {
    fields: &[
        field!("id", Kind::Id),
        field!("load_balancer_pool", Kind::Object(&POOL)),
        field!("status", Kind::Status(NodeStatus::canonical)),
        field!("status_detail", Kind::OptText),
        field!("created", Kind::OptTime),
        field!("updated", Kind::OptTime),
    ],
};

pub(crate) static PUBLIC_IP: Shape = Shape {
    fields: &[
        field!("id", Kind::Id),
        field!("public_ip_v4", Kind::OptText),
        field!("retain", Kind::FlagOrFalse),
        field!("status", Kind::Status(PublicIpStatus::canonical)),
        field!("status_detail", Kind::OptText),
        field!("created", Kind::OptTime),
        field!("updated", Kind::OptTime),
        field!("cloud_server", Kind::OptObject(&CLOUD_SERVER)),
    ],
};
