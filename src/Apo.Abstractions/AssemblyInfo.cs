namespace Apo.Abstractions;
