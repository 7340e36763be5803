/** DeltaStream resources. Reference: README.md, "Resource reference". */
export {};
