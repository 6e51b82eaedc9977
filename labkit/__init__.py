"""lvs.cluster lab: real IPVS kernels (user-mode-linux) on private bridges of this machine."""
