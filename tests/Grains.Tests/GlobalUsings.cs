global using CardGame.Contracts.Cards;
