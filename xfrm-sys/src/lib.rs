//! xfrm-sys (work in progress)
