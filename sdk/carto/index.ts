/** CARTO resources. Reference: README.md, "Resource reference". */
export {};
