global using System.Collections.Immutable;
global using CardGame.Contracts.Cards;
global using ResumeResult = CardGame.Contracts.Grains.GameResult<CardGame.Contracts.Protocol.Resumed>;
global using RoomResult = CardGame.Contracts.Grains.GameResult<CardGame.Contracts.Protocol.RoomInfo>;
global using TableResult = CardGame.Contracts.Grains.GameResult<CardGame.Contracts.Protocol.TableView>;
