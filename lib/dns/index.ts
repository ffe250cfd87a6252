export * from './tunnel-dns-record';
